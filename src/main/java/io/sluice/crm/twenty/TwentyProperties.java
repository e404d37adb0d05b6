package io.sluice.crm.twenty;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;

/**
 * Twenty (docs/connectors/twenty.md). Twenty allows 100 requests per 60 s per workspace, shared by every API key
 * and every other client; the default budget leaves a fifth of it to them. Its 429 names no wait:
 * {@code rateLimitWait} is how long Sluice then waits. {@code noteTargetPersonField}/{@code OpportunityField}
 * name the noteTarget relations: {@code targetPersonId}/{@code targetOpportunityId} in current releases,
 * {@code personId}/{@code opportunityId} in older ones.
 *
 * @param baseUrl                    the Twenty API
 * @param apiKey                     required with CRM_PROVIDER=twenty
 * @param maxRequests                request budget (shared by the replicas on one PostgreSQL), in any rolling window of per
 * @param per                        the window of max-requests
 * @param rateLimitWait              how long a 429 without Retry-After waits
 * @param noteTargetPersonField      the noteTarget relation to the person
 * @param noteTargetOpportunityField the noteTarget relation to the opportunity
 */
@Validated
@ConfigurationProperties("sluice.crm.twenty")
public record TwentyProperties(
        @DefaultValue("https://api.twenty.com") @NotNull URI baseUrl,
        String apiKey,
        @DefaultValue("80") @Min(1) int maxRequests,
        @DefaultValue("60s") @NotNull Duration per,
        @DefaultValue("60s") @NotNull Duration rateLimitWait,
        @DefaultValue("targetPersonId") @NotBlank String noteTargetPersonField,
        @DefaultValue("targetOpportunityId") @NotBlank String noteTargetOpportunityField) {
}
