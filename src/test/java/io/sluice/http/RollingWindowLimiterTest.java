package io.sluice.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One process's budget, used by four threads as fast as permits come, each call arriving a while after its permit
 * (as a provider counts it): the calls stay within the budget in every window, also when permits are taken ahead of
 * time while earlier calls are still out.
 */
class RollingWindowLimiterTest {

    private static final int LIMIT = 5;
    private static final Duration WINDOW = Duration.ofMillis(400);

    @Test
    void callsCountedWhenTheyArriveStayWithinTheBudgetInEveryWindow() throws Exception {
        RollingWindowLimiter budget = new RollingWindowLimiter("crm-test", LIMIT, WINDOW, Duration.ofSeconds(10));
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                work.add(threads.submit(() -> {
                    while (System.nanoTime() < until) {
                        RequestBudget.Permit permit = budget.acquire();
                        Thread.sleep(ThreadLocalRandom.current().nextInt(40));
                        arrivals.add(System.nanoTime());
                        budget.sent(permit);
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } finally {
            threads.shutdownNow();
        }
        List<Long> sorted = new ArrayList<>(arrivals);
        Collections.sort(sorted);
        assertThat(sorted.size()).as("calls in 2 s").isGreaterThan(3 * LIMIT);
        for (int i = 0; i + LIMIT < sorted.size(); i++) {
            assertThat(sorted.get(i + LIMIT) - sorted.get(i)).as("the time from call %d to the one %d later", i, LIMIT)
                    .isGreaterThanOrEqualTo(WINDOW.toNanos());
        }
    }

    @Test
    void aCallWithEverySlotOutWaitsForOneToBeAnsweredAndFailsWhenNoneIsWithinItsWait() {
        RollingWindowLimiter budget = new RollingWindowLimiter("crm-test", 1, Duration.ofMillis(50), Duration.ofMillis(200));
        RequestBudget.Permit out = budget.acquire();
        long asked = System.nanoTime();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(budget::acquire))
                .isInstanceOf(RequestBudget.PermitUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("it waited its wait").isGreaterThanOrEqualTo(Duration.ofMillis(190));
        budget.sent(out);
        assertThat(budget.acquire()).as("a permit once the call is answered").isNotNull();
    }
}
