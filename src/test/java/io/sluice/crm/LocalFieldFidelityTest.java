package io.sluice.crm;

import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The local CRM keeps every field a change does not carry: a one-word name, a payment without a name. */
class LocalFieldFidelityTest extends SluiceTestBase {

    @Test
    void aOneWordNameAndANamelessPaymentLeaveTheLastNameAsItWas() {
        send("msg_lf_1", "Dana Smith", "2026-01-20T00:00:00.000Z");
        send("msg_lf_2", "Dana", "2026-01-21T00:00:00.000Z");

        assertThat(jdbc.queryForObject("SELECT first_name FROM crm_person WHERE email = 'dana@example.com'", String.class)).isEqualTo("Dana");
        assertThat(jdbc.queryForObject("SELECT last_name FROM crm_person WHERE email = 'dana@example.com'", String.class)).isEqualTo("Smith");
        assertThat(jdbc.queryForObject("SELECT whop_user_id FROM crm_person WHERE email = 'dana@example.com'", String.class))
                .isEqualTo("user_mem_lf");
    }

    @Test
    void thePreviewLeavesOutWhatWhopDoesNotSay() {
        String body = Webhooks.membershipBody("msg_lf_preview", "mem_lf", "dana@example.com", "Dana", "active", false,
                "2026-01-21T00:00:00.000Z");

        var preview = jsonOf(adminPost("/api/mappings/preview", body));

        assertThat(preview.path("person").has("firstName")).isTrue();
        assertThat(preview.path("person").has("lastName")).as(preview.toString()).isFalse();
    }

    private void send(String id, String name, String updatedAt) {
        String body = Webhooks.membershipBody(id, "mem_lf", "dana@example.com", name, "active", false, updatedAt);
        Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8));
        awaitStatus(id, "DONE");
    }
}
