package io.sluice.whop;

import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;
import java.util.List;

import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With a credential, Sluice pulls on its own: a full sweep first, then incremental pulls on WHOP_POLL_INTERVAL. */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // its scheduler must not outlive the class
@TestPropertySource(properties = {"sluice.whop.poll.enabled=true", "sluice.whop.poll.interval=PT5M",
        "sluice.whop.poll.full-interval=PT24H"})
class WhopPollScheduleTest extends WhopSyncTestBase {

    private static final String T = "2026-01-20T14:03:11.000Z";

    @Test
    void aFullSweepRunsFirstThenIncrementalPullsFollowTheInterval() {
        whop.pages("members", List.of(member(1, T)), 2);
        whop.pages("memberships", List.of(membership(1, "active", false, T)), 2);
        whop.pages("payments", List.of(payment(1, 1, "succeeded", T)), 2);

        // a sweep the scheduler may have started before these stubs existed has failed; the next one is due a day later
        clock.advance(Duration.ofHours(25));

        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT COUNT(*) FROM whop_sync_run WHERE sync_mode = 'full' "
                + "AND status = 'COMPLETED' AND started_by = 'schedule'") == 1);
        awaitInboxDrained();
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM whop_sync_run WHERE sync_mode = 'incremental'"))
                .as("the sweep pulled payments: the next incremental pull waits WHOP_POLL_INTERVAL").isZero();

        clock.advance(Duration.ofMinutes(6));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                count("SELECT COUNT(*) FROM whop_sync_run WHERE sync_mode = 'incremental' AND status = 'COMPLETED'") == 1);
        assertThat(count("SELECT COUNT(*) FROM whop_sync_run WHERE sync_mode = 'full' AND status = 'COMPLETED'")).isEqualTo(1);
    }
}
