package io.sluice.ai;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.store.AiUsageStore;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The day's model tokens against {@code sluice.ai.daily-token-budget}: {@code sluice_ai_tokens_used_today} (the
 * {@code ai_usage} ledger, the UTC day, as the budget counts it; shared by the replicas) and
 * {@code sluice_ai_daily_token_budget} (0: no budget). Once used reaches the budget the heuristic answers.
 */
@Component
class AiBudgetMetrics {

    AiBudgetMetrics(AiUsageStore usage, AiProperties properties, Clock clock, MeterRegistry registry) {
        Gauge.builder("sluice.ai.tokens.used.today", () -> usedToday(usage, clock))
                .description("Model tokens used today (UTC), by every replica")
                .register(registry);
        Gauge.builder("sluice.ai.daily.token.budget", properties::dailyTokenBudget)
                .description("sluice.ai.daily-token-budget: model tokens a day (0: no limit)")
                .register(registry);
    }

    /** A gauge must not fail a scrape while the database is down. */
    private static double usedToday(AiUsageStore usage, Clock clock) {
        try {
            return usage.tokensOn(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
