package io.sluice.webhook;

import io.sluice.mapping.ActiveMapping;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Whop webhook type the SDKs and docs name (src/test/resources/whop/webhook-types.txt) is either applied by
 * the shipped mapping or ignored with a reason written into the event's history.
 */
class WhopEventTypesTest extends SluiceTestBase {

    @Autowired
    private ActiveMapping mapping;

    @Test
    void everyKnownTypeIsMappedOrIgnoredForAStatedReason() throws IOException {
        List<String> types;
        try (InputStream in = getClass().getResourceAsStream("/whop/webhook-types.txt")) {
            types = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .map(String::trim).filter(t -> !t.isEmpty() && !t.startsWith("#")).toList();
        }
        assertThat(types).hasSizeGreaterThan(100);
        List<String> unexplained = types.stream().filter(t -> !mapping.handles(t) && !IgnoredWhopTypes.known(t)).toList();
        assertThat(unexplained).as("types neither mapped nor ignored with a reason").isEmpty();
        assertThat(mapping.handles("membership.went_valid")).isTrue();
        assertThat(mapping.handles("membership.went_invalid")).isTrue();
        assertThat(IgnoredWhopTypes.known("something.new")).isFalse();
    }

    @Test
    void membershipWentValidIsAppliedLikeAnActivation() {
        String body = Webhooks.membershipBody("msg_went_valid", "mem_wv1", "valid@example.com", "Val Id", "active", false,
                "2026-01-20T14:03:11.000Z").replace("membership.activated", "membership.went_valid");
        assertThat(Webhooks.sendSigned(port, "msg_went_valid", Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(202);

        awaitStatus("msg_went_valid", "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_person WHERE email = 'valid@example.com'")).isEqualTo(1);
    }

    @Test
    void anUnmappedTypeIsIgnoredWithItsReasonInTheEventHistory() {
        String body = "{\"id\":\"msg_invoice\",\"api_version\":\"v1\",\"timestamp\":\"2026-01-20T14:03:11.000Z\",\"type\":\"invoice.paid\","
                + "\"data\":{\"id\":\"inv_1\",\"updated_at\":\"2026-01-20T14:03:11.000Z\"}}";
        Webhooks.sendSigned(port, "msg_invoice", Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8));

        awaitStatus("msg_invoice", "IGNORED");
        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE event_id = 'msg_invoice'", String.class))
                .anyMatch(d -> d.contains("invoices are not mapped"));
    }
}
