package io.sluice.processing;

import io.sluice.support.Crms;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How fast the inbox drains is set by what the consumers take, not by the poll interval times the batch size: a claim
 * that fills its batch claims again at once, and the claims that end wake the claimer when it stopped for room.
 * Here the poll never comes in time (an hour) and a batch is 10: only those two can drain 300 stored events.
 */
@TestPropertySource(properties = {"sluice.inbox.poll-interval=1h", "sluice.inbox.batch-size=10", "sluice.inbox.max-held=40"})
class ClaimingFollowsProcessingTest extends SluiceTestBase {

    private static final int EVENTS = 300;
    private static final String T = "2026-01-20T14:03:11.000Z";

    @Test
    void aBacklogDrainsWithoutWaitingForThePoll() {
        assertThat(admin("PUT", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        for (int i = 0; i < EVENTS; i++) {
            Crms.sendMembership(port, "msg_drain_" + i, 1000 + i, "active", false, T);
        }
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_drain_%' AND status = 'RECEIVED'")).isEqualTo(EVENTS);

        // resuming wakes the claimer once; nothing else will until the hour is up
        assertThat(admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_drain_%' AND status = 'DONE'") == EVENTS);
    }
}
