package io.sluice.crm.hubspot;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;

/**
 * HubSpot (docs/connectors/hubspot.md): 100 requests per 10 s per app on Free/Starter, 190 on Professional and Enterprise.
 * Deals are upserted by {@code membershipIdProperty}, a deal property with unique values created once.
 * {@code noteIdProperty}, when not empty, names a unique note property to upsert notes by; otherwise notes are
 * created once and remembered by id.
 *
 * @param baseUrl              the HubSpot API
 * @param accessToken          private app token; required with CRM_PROVIDER=hubspot
 * @param maxRequests          request budget (shared by the replicas on one PostgreSQL), in any rolling window of per
 * @param per                  the window of max-requests
 * @param pipeline             deal pipeline, by id or label
 * @param membershipIdProperty the unique deal property deals are upserted by
 * @param noteIdProperty       the unique note property notes are upserted by; empty: notes are created once and remembered by id
 * @param pipelineCacheTtl     how long pipeline stages are cached
 * @param rollingLimitWait     wait after a ten-secondly 429 without Retry-After
 */
@Validated
@ConfigurationProperties("sluice.crm.hubspot")
public record HubSpotProperties(
        @DefaultValue("https://api.hubapi.com") @NotNull URI baseUrl,
        String accessToken,
        @DefaultValue("90") @Min(1) int maxRequests,
        @DefaultValue("10s") @NotNull Duration per,
        @DefaultValue("default") @NotBlank String pipeline,
        @DefaultValue("whop_membership_id") @NotBlank String membershipIdProperty,
        @DefaultValue("whop_note_id") String noteIdProperty,
        @DefaultValue("10m") @NotNull Duration pipelineCacheTtl,
        @DefaultValue("10s") @NotNull Duration rollingLimitWait) {
}
