package io.sluice.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything an operator can set under {@code sluice.*}; documented in docs/configuration.md. */
@Validated
@ConfigurationProperties("sluice")
public record SluiceProperties(
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("jdbc") @NotNull Transport transport,
        @DefaultValue @Valid Webhook webhook,
        @DefaultValue @Valid Whop whop,
        @DefaultValue @Valid Admin admin,
        @DefaultValue @Valid Routes routes,
        @DefaultValue @Valid Mappings mappings,
        @DefaultValue @Valid Crm crm,
        @DefaultValue @Valid Inbox inbox) {

    public SluiceProperties {
        if (transport == Transport.kafka) {
            throw new IllegalArgumentException("sluice.transport (SLUICE_TRANSPORT) = kafka is not available in this version; use jdbc");
        }
    }

    /** How accepted events travel from ingress to processing. */
    public enum Transport { jdbc, kafka }

    public record Webhook(
            @DefaultValue("1MB") @NotNull DataSize maxBodyBytes,
            @DefaultValue("1000") @Min(1) int maxRps,
            @DefaultValue("300") @Min(1) @Max(3600) long toleranceSeconds,
            @DefaultValue("10") @Min(1) int retryAfterSeconds) {
    }

    /** Whop webhook secrets exactly as Whop shows them; several at once during rotation. */
    public record Whop(@DefaultValue List<String> webhookSecrets) {
    }

    /** Admin API and Hawtio credentials; generated into the data directory when unset. */
    public record Admin(String token) {
    }

    public record Routes(
            @DefaultValue("./routes") @NotNull Path dir,
            @DefaultValue("true") boolean reload,
            @DefaultValue("2s") @NotNull Duration reloadInterval) {
    }

    public record Mappings(@DefaultValue("./mappings") @NotNull Path dir) {
    }

    public record Crm(@DefaultValue("local") @NotNull String provider, @DefaultValue @Valid Breaker breaker) {
    }

    /** The CRM circuit breaker: opens when this share of the recent calls failed. */
    public record Breaker(
            @DefaultValue("50") @Min(1) @Max(100) float failureRateThreshold,
            @DefaultValue("20") @Min(1) int minimumNumberOfCalls,
            @DefaultValue("50") @Min(1) int slidingWindowSize,
            @DefaultValue("30s") @NotNull Duration waitInOpenState) {
    }

    public record Inbox(
            @DefaultValue("200ms") @NotNull Duration pollInterval,
            @DefaultValue("100") @Min(1) int batchSize,
            @DefaultValue("4") @Min(1) int consumers,
            @DefaultValue("2") @Min(1) @Max(16) int writers,
            @DefaultValue("128") @Min(1) @Max(1000) int maxBatch,
            @DefaultValue("10m") @NotNull Duration claimTimeout) {
    }
}
