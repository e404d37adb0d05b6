package io.sluice.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The JDBC inbox. Events are claimed every {@code pollInterval}, and at once when ingress stores one or the claims held
 * fall to half of {@code maxHeld}, at most {@code maxWakesPerSecond} times a second; a claim that fills
 * {@code batchSize} claims again at once. Here rather than in a feature because the store, the CRM's write leases
 * and the pipeline all read it.
 *
 * @param pollInterval      how often the inbox is checked for new events (a plain number is milliseconds)
 * @param maxWakesPerSecond most claims a second started at once by an event this process stored
 * @param batchSize         events claimed per statement; a claim that fills it claims again at once
 * @param maxHeld           most events this process holds claimed at once (queued for or in processing): claims stop
 *                          there and start again when half of them are done, so that the inbox is drained as fast as
 *                          the consumers take it and a slow CRM does not hold many leases
 * @param consumers         events processed in parallel
 * @param writers           threads writing accepted webhooks to the inbox
 * @param maxBatch          most webhooks stored in one transaction
 * @param claimTimeout      an event held this long by its process without an outcome is taken to be lost there: its
 *                          claim is no longer renewed, and the inbox takes it back when the lease runs out
 * @param lease             how long a claim lasts unless its process renews it (it does every third of this): a
 *                          replica that dies leaves its claims to the others once their leases run out
 * @param instanceId        the name this process claims under; empty: the host name and server port (a random
 *                          suffix when the port is chosen at start). A process started again under the same name
 *                          takes back its own claims at once; two live processes must never share one
 * @param autoStart         false: events are accepted and stored but not processed (maintenance)
 */
@Validated
@ConfigurationProperties("sluice.inbox")
public record InboxProperties(
        @DefaultValue("200ms") @NotNull @DurationMin(millis = 1) Duration pollInterval,
        @DefaultValue("20") @Min(1) @Max(1000) int maxWakesPerSecond,
        @DefaultValue("100") @Min(1) int batchSize,
        @DefaultValue("1000") @Min(1) int maxHeld,
        @DefaultValue("4") @Min(1) int consumers,
        @DefaultValue("2") @Min(1) @Max(16) int writers,
        @DefaultValue("128") @Min(1) @Max(1000) int maxBatch,
        @DefaultValue("10m") @NotNull Duration claimTimeout,
        @DefaultValue("30s") @NotNull @DurationMin(seconds = 1) Duration lease,
        @Size(max = 150) String instanceId,
        @DefaultValue("true") boolean autoStart) {
}
