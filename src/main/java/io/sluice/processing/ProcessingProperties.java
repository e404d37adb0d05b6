package io.sluice.processing;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;

/**
 * How long a failure that waiting can heal (the CRM down, slow or rate-limiting) is retried: after the route's
 * quick redeliveries ({@code max-redeliveries}, {@code redelivery-delay}), the event waits in the inbox for the
 * next step of {@code retrySchedule} (its last step repeats), until {@code retryHorizon} has passed since it first
 * failed; only then is it a dead letter. docs/reliability.md shows the schedule.
 *
 * @param maxRedeliveries    quick retries in the process after the first failed attempt (route configuration event-errors)
 * @param redeliveryDelay    first quick retry delay, doubling each time with jitter (a plain number is milliseconds)
 * @param maxRedeliveryDelay cap on the quick retry delay (a plain number is milliseconds)
 * @param retrySchedule      how long an event waits in the inbox before each further round, the last step repeating
 * @param retryHorizon       an event still failing this long after its first waiting round becomes a dead letter
 */
@Validated
@ConfigurationProperties("sluice.processing")
public record ProcessingProperties(
        @DefaultValue("3") @Min(0) @Max(100) int maxRedeliveries,
        @DefaultValue("1000") @NotNull @DurationMin(millis = 0) Duration redeliveryDelay,
        @DefaultValue("10000") @NotNull @DurationMin(millis = 0) Duration maxRedeliveryDelay,
        @DefaultValue({"30s", "2m", "5m", "15m", "30m", "1h", "2h", "4h"}) @NotEmpty List<Duration> retrySchedule,
        @DefaultValue("24h") @NotNull @DurationMin(seconds = 1) Duration retryHorizon) {

    public ProcessingProperties {
        if (retrySchedule.stream().anyMatch(step -> step.isNegative() || step.isZero())) {
            throw new IllegalArgumentException("sluice.processing.retry-schedule: every step must be a positive duration, got " + retrySchedule);
        }
    }

    /** The wait before the next try of an event that waited {@code waits} times already. */
    public Duration step(int waits) {
        return retrySchedule.get(Math.min(Math.max(waits, 0), retrySchedule.size() - 1));
    }
}
