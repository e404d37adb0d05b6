package io.sluice.processing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A CRM outage far longer than the quick redeliveries (two here, within a fraction of a second): the breaker opens,
 * Sluice stops claiming work, events wait in the inbox (visible in the status and each event's history) without
 * spending attempts, and once the CRM answers again every event is applied by itself: no dead letter, no replay.
 * An open breaker never lets an event pass as done.
 */
@TestPropertySource(properties = {
        "sluice.crm.breaker.minimum-number-of-calls=2",
        "sluice.crm.breaker.sliding-window-size=2",
        "sluice.crm.breaker.wait-in-open-state=1s"})
class CrmCircuitBreakerTest extends SluiceTestBase {

    private static final int EVENTS = 30;

    @Test
    void anOutageHoldsEventsInTheInboxAndEveryOneIsAppliedAfterItWithoutAReplay() throws InterruptedException {
        crm.goDown();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            ids.add(send("msg_out" + i));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "OPEN".equals(breakerState()) || "HALF_OPEN".equals(breakerState()));
        await().atMost(Duration.ofSeconds(15)).until(() -> adminJson("GET", "/api/status").path("queue").path("waiting").asInt() > 0);
        Thread.sleep(6_000); // many times the old retry budget

        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero(); // nothing passed as written
        JsonNode queue = adminJson("GET", "/api/status").path("queue");
        assertThat(queue.path("waiting").asInt() + queue.path("pending").asInt() + queue.path("processing").asInt()).isEqualTo(EVENTS);
        assertThat(queue.path("oldestWaitSeconds").asLong()).isGreaterThanOrEqualTo(5);
        JsonNode waiting = adminJson("GET", "/api/events?status=WAITING").path("items").get(0);
        JsonNode event = adminJson("GET", "/api/events/" + waiting.path("id").asText());
        assertThat(event.path("nextAttemptAt").asText()).isNotEmpty();
        assertThat(event.path("history").findValuesAsText("detail")).anySatisfy(d -> assertThat(d).startsWith("waits until"));
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE detail LIKE 'attempt failed:%store unavailable%'"))
                .as("failed attempts that name the CRM's failure").isPositive();
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE status = 'WAITING' AND detail LIKE 'waits until%CircuitBreaker%OPEN%'"))
                .as("waits for the open breaker").isPositive();
        // while the breaker was open nothing was sent, so attempts stayed few though the outage went on
        long mostAttempts = count("SELECT MAX(attempts) FROM event_log");
        long failedCalls = crm.failures();
        assertThat(failedCalls).as("calls the CRM failed during the outage").isLessThan(EVENTS * 3L);

        crm.heal();

        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == EVENTS);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(EVENTS);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(mostAttempts).as("most attempts of one event during the outage").isLessThanOrEqualTo(12);
        assertThat(breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void aDefectStillDeadLettersAfterItsQuickRetries() {
        crm.failFor("msg_defect"); // not a CRM outage: waiting cannot fix it
        send("msg_defect");
        awaitStatus("msg_defect", "DEAD");
        assertThat(adminJson("GET", "/api/events/msg_defect").path("lastError").asText()).contains("broken");
    }

    private String breakerState() {
        JsonNode breakers = adminJson("GET", "/api/status").path("circuitBreakers");
        return breakers.get(0).path("state").asText();
    }

    private String send(String id) {
        byte[] body = Webhooks.membershipBody(id, "mem_" + id, id + "@example.com", "C B", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, id, clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
        return id;
    }
}
