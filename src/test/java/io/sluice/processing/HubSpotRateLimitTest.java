package io.sluice.processing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmPreflight;
import io.sluice.support.ConformantHubSpot;
import io.sluice.support.Crms;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst of new members against a HubSpot that enforces a rolling window, as HubSpot does (scaled down here: a
 * budget of 20 requests per rolling 2 s instead of 100 per 10 s): Sluice's own pacing never sends more than its budget
 * in any window, and when HubSpot is stricter than the budget its 429s hold every call, open no breaker and
 * dead-letter nothing: every event is applied, none by a replay.
 */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.access-token=" + HubSpotRateLimitTest.TOKEN,
        "sluice.crm.hubspot.max-requests=20", "sluice.crm.hubspot.per=2s", "sluice.crm.hubspot.rolling-limit-wait=2s",
        // the breaker as shipped, but quick to judge: 429s must not count towards it
        "sluice.crm.breaker.minimum-number-of-calls=5", "sluice.crm.breaker.sliding-window-size=10"})
class HubSpotRateLimitTest extends SluiceTestBase {

    static final String TOKEN = "pat-eu1-ratelimit-0123456789";
    private static final ConformantHubSpot HUBSPOT = new ConformantHubSpot(TOKEN);
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final int MEMBERS = 40;

    @DynamicPropertySource
    static void hubspot(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.hubspot.base-url", HUBSPOT::baseUrl);
    }

    @Autowired
    private CrmPreflight preflight;
    @Autowired
    private CircuitBreaker crmCircuitBreaker;

    @BeforeEach
    void hubSpot() {
        HUBSPOT.reset();
        jdbc.update("DELETE FROM crm_write_version");
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @Test
    void aBurstIsPacedWithinTheBudgetOfEveryRollingWindow() {
        // a fifth above the budget, as HubSpot's 100 is above the 90 Sluice ships with: a request reaches HubSpot a
        // little after it leaves, and a fixed-window limiter would still send twice the budget around a refill
        HUBSPOT.enforceRollingWindow(24, Duration.ofSeconds(2));

        List<String> ids = sendBurst("msg_rl", MEMBERS);

        await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == MEMBERS);
        assertThat(HUBSPOT.rateLimitedAnswers()).as("429s answered").isZero();
        assertThat(HUBSPOT.busiestWindow()).as("most requests in any 2 s").isLessThanOrEqualTo(24).isGreaterThan(10);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(ids).allSatisfy(id -> assertThat(eventStatus(id)).isEqualTo("DONE"));
    }

    @Test
    void aStricterHubSpotIsWaitedOutWithoutOpeningTheBreakerOrDeadLetteringAnything() {
        HUBSPOT.enforceRollingWindow(12, Duration.ofSeconds(2)); // stricter than Sluice's budget: 429s will come
        AtomicBoolean opened = new AtomicBoolean();
        crmCircuitBreaker.getEventPublisher().onStateTransition(t -> {
            if (t.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                opened.set(true);
            }
        });

        List<String> ids = sendBurst("msg_rs", MEMBERS / 2);

        await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == MEMBERS / 2);
        assertThat(HUBSPOT.rateLimitedAnswers()).as("429s answered").isPositive();
        assertThat(opened).as("the breaker opened").isFalse();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        // the waits are visible in each event's history, with the reason
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE status = 'WAITING' AND detail LIKE '%429%'")).isPositive();
        assertThat(ids).allSatisfy(id -> assertThat(eventStatus(id)).isEqualTo("DONE"));
    }

    private List<String> sendBurst(String prefix, int members) {
        List<String> ids = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int sender = s;
            Thread thread = new Thread(() -> {
                for (int i = sender; i < members; i += 4) {
                    Crms.sendMembership(port, prefix + i, 100 + i, "active", false, T);
                }
            });
            thread.start();
            senders.add(thread);
        }
        for (Thread sender : senders) {
            try {
                sender.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        for (int i = 0; i < members; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }
}
