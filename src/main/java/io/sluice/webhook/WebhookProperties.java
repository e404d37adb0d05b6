package io.sluice.webhook;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook ingress: the body limit, the rate limit, the signature's time tolerance and the wait a 503 asks for.
 *
 * @param maxBodyBytes      larger webhook bodies get 413 before anything is read into a route
 * @param maxRps            ingress rate limit per process (requests per second), counted after the signature check
 * @param toleranceSeconds  accepted distance between webhook-timestamp and now, both ways
 * @param retryAfterSeconds Retry-After sent with 503 when the event cannot be stored
 */
@Validated
@ConfigurationProperties("sluice.webhook")
public record WebhookProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBodyBytes,
        @DefaultValue("1000") @Min(1) int maxRps,
        @DefaultValue("300") @Min(1) @Max(3600) long toleranceSeconds,
        @DefaultValue("10") @Min(1) int retryAfterSeconds) {
}
