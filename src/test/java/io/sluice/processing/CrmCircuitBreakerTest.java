package io.sluice.processing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Trap 4: an open circuit breaker fails events (retry, then dead letter); it never lets one pass as done. */
@TestPropertySource(properties = {
        "sluice.crm.breaker.minimum-number-of-calls=2",
        "sluice.crm.breaker.sliding-window-size=2",
        "sluice.crm.breaker.wait-in-open-state=3s"})
class CrmCircuitBreakerTest extends SluiceTestBase {

    @Test
    void openBreakerDeadLettersEventsWithoutWritingAndAReplayAfterRecoveryCompletesThem() {
        crm.failFor("msg_cb1");
        crm.failFor("msg_cb2");
        send("msg_cb1");
        send("msg_cb2");
        awaitStatus("msg_cb1", "DEAD");
        awaitStatus("msg_cb2", "DEAD");
        assertThat(breakerState()).isEqualTo("OPEN");

        send("msg_cb3"); // the CRM would accept this one, but the breaker is open
        awaitStatus("msg_cb3", "DEAD");
        assertThat(adminJson("GET", "/api/events/msg_cb3").path("lastError").asText()).contains("CallNotPermitted");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isZero();
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();

        crm.heal();
        await().atMost(Duration.ofSeconds(10)).until(() -> !"OPEN".equals(breakerState()));
        assertThat(admin("POST", "/api/dead-letters/replay", ADMIN_TOKEN).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == 3);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(3);
        assertThat(adminJson("GET", "/api/dead-letters").path("items")).isEmpty();
    }

    private String breakerState() {
        JsonNode breakers = adminJson("GET", "/api/status").path("circuitBreakers");
        return breakers.get(0).path("state").asText();
    }

    private void send(String id) {
        byte[] body = Webhooks.membershipBody(id, "mem_" + id, id + "@example.com", "C B", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, id, clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
    }
}
