package io.sluice.crm.zoho;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;

/**
 * Zoho CRM (docs/connectors/zoho.md): OAuth refresh at the data centre's accounts server; the API host comes with the
 * token ({@code api_domain}) unless {@code apiBaseUrl} is set. Deals are upserted by {@code membershipIdField}, an
 * External ID or unique field created once. No per-second limit is published: the budget below stands in for
 * the edition's concurrency; the 24-hour credits are the real ceiling.
 *
 * @param accountsUrl       the data centre's accounts server
 * @param apiBaseUrl        override of the API host; unset: the api_domain Zoho returns with the token
 * @param clientId          OAuth client; required with CRM_PROVIDER=zoho
 * @param clientSecret      OAuth client secret; required with CRM_PROVIDER=zoho
 * @param refreshToken      OAuth refresh token; required with CRM_PROVIDER=zoho
 * @param apiVersion        path segment /crm/version/
 * @param maxRequests       request budget (shared by the replicas on one PostgreSQL), in any window of per
 * @param per               the window of max-requests
 * @param membershipIdField the unique Deals field deals are upserted by
 * @param runWorkflows      false sends "trigger": []
 * @param limitWait         wait after a concurrency 429
 */
@Validated
@ConfigurationProperties("sluice.crm.zoho")
public record ZohoProperties(
        @DefaultValue("https://accounts.zoho.com") @NotNull URI accountsUrl,
        String apiBaseUrl,
        String clientId,
        String clientSecret,
        String refreshToken,
        @DefaultValue("v8") @NotBlank String apiVersion,
        @DefaultValue("10") @Min(1) int maxRequests,
        @DefaultValue("1s") @NotNull Duration per,
        @DefaultValue("Whop_Membership_ID") @NotBlank String membershipIdField,
        @DefaultValue("true") boolean runWorkflows,
        @DefaultValue("60s") @NotNull Duration limitWait) {
}
