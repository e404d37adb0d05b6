package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.event.EventStatus;
import io.sluice.store.DeadLetterStore;
import io.sluice.inbox.EventLog;
import org.springframework.stereotype.Component;

import java.time.Duration;

/** Sluice's own meters; Camel's route metrics come from camel-micrometer. */
@Component
public class SluiceMetrics {

    private final MeterRegistry registry;
    private final Timer processing;

    public SluiceMetrics(MeterRegistry registry, EventLog eventLog, DeadLetterStore deadLetters, java.time.Clock clock) {
        this.registry = registry;
        this.processing = Timer.builder("sluice.event.processing")
                .description("Time from claiming an event to its final status")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("sluice.inbox.pending", () -> safeCount(() -> eventLog.countByStatus(EventStatus.RECEIVED)))
                .description("Events stored and waiting to be processed")
                .register(registry);
        Gauge.builder("sluice.inbox.waiting", () -> safeCount(() -> eventLog.countByStatus(EventStatus.WAITING)))
                .description("Events whose last try failed in a way waiting heals, waiting for their next try")
                .register(registry);
        Gauge.builder("sluice.inbox.oldest.age", () -> safeCount(() -> {
                    java.time.Instant oldest = eventLog.oldestUnfinishedReceivedAt();
                    return oldest == null ? 0 : Math.max(0, java.time.Duration.between(oldest, clock.instant()).toSeconds());
                }))
                .description("How long the oldest event not yet applied (received, waiting or processing) has been in the inbox")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("sluice.dead.letters", () -> safeCount(deadLetters::countOpen))
                .description("Dead letters not yet replayed")
                .register(registry);
        // the outcomes an alert watches exist from the start at 0: increase() over a series that only appears with its
        // first sample (count 1) would miss that first failure (k8s/monitoring/sluice-rules.yaml)
        for (String mode : java.util.List.of("full", "incremental")) {
            for (String status : java.util.List.of("FAILED", "WAITING")) {
                whopSyncTimer(mode, status);
            }
        }
    }

    public void webhookRequest(String source, String outcome) {
        Counter.builder("sluice.webhook.requests")
                .description("Webhook requests by source and outcome")
                .tag("source", source).tag("outcome", outcome)
                .register(registry).increment();
    }

    public void event(String type, EventStatus status) {
        Counter.builder("sluice.events")
                .description("Events reaching a status, by type")
                .tag("type", type).tag("status", status.name())
                .register(registry).increment();
    }

    public void processed(Duration duration) {
        processing.record(duration);
    }

    /** Records pulled from Whop by resource and outcome ({@code new}, {@code unchanged}, {@code rejected}). */
    public void whopSyncRecords(String resource, String outcome, long count) {
        if (count > 0) {
            Counter.builder("whop.sync.records")
                    .description("Records pulled from Whop, by resource and outcome")
                    .tag("resource", resource).tag("outcome", outcome)
                    .register(registry).increment(count);
        }
    }

    /** A Whop sync run ended (or stopped to resume later). */
    public void whopSyncDuration(String mode, String status, Duration duration) {
        whopSyncTimer(mode, status).record(duration);
    }

    private Timer whopSyncTimer(String mode, String status) {
        return Timer.builder("whop.sync.duration")
                .description("Duration of Whop sync runs, by mode and final status")
                .tag("mode", mode).tag("status", status)
                .register(registry);
    }

    /** A contract reached the provider as sent (counted once per contract). */
    public void contractSent(String provider) {
        Counter.builder("contract.sent").description("Contracts sent for signature, by e-sign provider")
                .tag("provider", provider).register(registry).increment();
    }

    /** Every signer signed a contract (counted once per contract). */
    public void contractSigned(String provider) {
        Counter.builder("contract.signed").description("Contracts signed by all their signers, by e-sign provider")
                .tag("provider", provider).register(registry).increment();
    }

    /** A gauge must not fail a scrape while the database is down. */
    private static double safeCount(java.util.function.LongSupplier count) {
        try {
            return count.getAsLong();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
