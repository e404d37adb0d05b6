package io.sluice.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;

/**
 * The CRM written to, its breaker, its check and how writes are leased and batched; each provider's connection and
 * request budget is its own record in its {@code crm} sub-package. Here rather than in {@code crm} because the
 * mapping and the pipeline read it too.
 *
 * @param provider                 the CRM written to; selects mappings/provider.yaml
 * @param maxRetryAfter            cap on a wait a CRM asks for with Retry-After before one of the quick retries
 * @param checkInterval            how often the CRM's key and data model are checked
 * @param checkIntervalWhileBroken how often the check runs while it finds a problem
 * @param checkHoldsEvents         while the check finds a problem, events wait in the inbox; false: the check only reports
 * @param refusalRecheckGap        a write the CRM refuses re-runs the check, at most this often
 * @param writeLockWait            how long a write waits for another write of the same CRM record before its event waits in the inbox
 * @param writeLease               the lease on a record being written, renewed every third of it
 * @param batchConsumers           batches written at once (route process-batch-apply)
 * @param batchSize                pulled records gathered for one batch write; 0: as many as one call of the CRM takes
 * @param batchWait                how long a partial batch waits for more records (a plain number is milliseconds)
 */
@Validated
@ConfigurationProperties("sluice.crm")
public record CrmProperties(
        @DefaultValue("local") @NotNull String provider,
        @DefaultValue @Valid Breaker breaker,
        @DefaultValue("120s") @NotNull Duration maxRetryAfter,
        @DefaultValue("5m") @NotNull @DurationMin(seconds = 10) Duration checkInterval,
        @DefaultValue("30s") @NotNull @DurationMin(seconds = 1) Duration checkIntervalWhileBroken,
        @DefaultValue("true") boolean checkHoldsEvents,
        @DefaultValue("10s") @NotNull Duration refusalRecheckGap,
        @DefaultValue("10s") @NotNull Duration writeLockWait,
        @DefaultValue("60s") @NotNull @DurationMin(seconds = 3) Duration writeLease,
        @DefaultValue("2") @Min(1) int batchConsumers,
        @DefaultValue("0") @Min(0) int batchSize,
        @DefaultValue("500ms") @NotNull @DurationMin(millis = 1) Duration batchWait) {

    /** The CRM providers this version can write to. */
    public static final List<String> AVAILABLE_PROVIDERS = List.of("local", "twenty", "hubspot", "zoho", "odoo");

    public CrmProperties {
        if (!AVAILABLE_PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("sluice.crm.provider (CRM_PROVIDER) = '" + provider
                    + "' is not available in this version; use one of " + AVAILABLE_PROVIDERS);
        }
    }

    /**
     * The CRM circuit breaker: opens when this share of the recent calls failed.
     *
     * @param failureRateThreshold percentage of failed CRM writes over the window that opens the breaker
     * @param minimumNumberOfCalls calls before the failure rate counts
     * @param slidingWindowSize    calls in the window
     * @param waitInOpenState      how long an open breaker refuses calls before letting a few through
     */
    public record Breaker(
            @DefaultValue("50") @Min(1) @Max(100) float failureRateThreshold,
            @DefaultValue("20") @Min(1) int minimumNumberOfCalls,
            @DefaultValue("50") @Min(1) int slidingWindowSize,
            @DefaultValue("30s") @NotNull Duration waitInOpenState) {
    }
}
