package io.sluice.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Whop: webhook secrets exactly as Whop shows them (several at once during rotation), and the REST API that
 * scheduled pulls and backfills read. Here rather than in {@code whop} because ingress ({@code webhook}) reads the
 * secrets too.
 *
 * @param webhookSecrets the Whop webhook secrets (ws_...), several during a rotation; generated into the data directory when unset
 * @param apiKey         company API key for pulls
 * @param companyId      the company (biz_...) pulls list; required with an API key
 * @param apiBaseUrl     the Whop REST API
 * @param apiVersionDate sent as Api-Version-Date; the record shapes Sluice reads are those of this version
 */
@Validated
@ConfigurationProperties("sluice.whop")
public record WhopProperties(
        @DefaultValue List<String> webhookSecrets,
        String apiKey,
        String companyId,
        @DefaultValue("https://api.whop.com/api/v1") @NotNull URI apiBaseUrl,
        @DefaultValue("2026-07-20") @NotBlank String apiVersionDate,
        @DefaultValue @Valid Api api,
        @DefaultValue @Valid Poll poll,
        @DefaultValue @Valid Sync sync,
        @DefaultValue @Valid OAuth oauth) {

    public WhopProperties {
        apiKey = blankToNull(apiKey);
        companyId = blankToNull(companyId);
        if (apiKey != null && companyId == null) {
            throw new IllegalArgumentException("sluice.whop.company-id (WHOP_COMPANY_ID) is required when WHOP_API_KEY is set: "
                    + "Whop lists memberships, members and payments per company");
        }
        if (Boolean.TRUE.equals(poll.enabled()) && apiKey == null && oauth.clientId() == null) {
            throw new IllegalArgumentException("sluice.whop.poll.enabled (WHOP_POLL_ENABLED) is true but there is no Whop "
                    + "credential: set WHOP_API_KEY (and WHOP_COMPANY_ID) or WHOP_CLIENT_ID for OAuth");
        }
    }

    /** Pulls run when enabled explicitly, or by default whenever a Whop credential is configured. */
    public boolean pollEnabled() {
        return poll.enabled() != null ? poll.enabled() : apiKey != null || oauth.clientId() != null;
    }

    /**
     * How Sluice calls the Whop API: a rate, page size and retry policy.
     *
     * @param maxRequestsPerSecond Whop calls a second, retries included, for all replicas together (whop/WhopPullBudget)
     * @param pageSize             records asked for per page (first=)
     * @param maxRetries           retries of one page on 429, 408, 5xx and timeouts before the run waits
     * @param retryDelay           first backoff, doubling with jitter (a plain number is milliseconds)
     * @param maxRetryDelay        cap on the backoff
     * @param maxRetryAfter        cap on a wait Whop asks for with Retry-After
     */
    public record Api(
            @DefaultValue("5") @Min(1) @Max(1000) int maxRequestsPerSecond,
            @DefaultValue("100") @Min(1) @Max(100) int pageSize,
            @DefaultValue("6") @Min(0) @Max(100) int maxRetries,
            @DefaultValue("1000") @NotNull Duration retryDelay,
            @DefaultValue("60000") @NotNull Duration maxRetryDelay,
            @DefaultValue("120s") @NotNull Duration maxRetryAfter) {
    }

    /**
     * The schedule: incremental pulls (payments since the watermark) and full sweeps of every resource.
     *
     * @param enabled       scheduled pulls; unset: on whenever a Whop credential is configured
     * @param interval      how often an incremental pull runs
     * @param fullInterval  how often a full sweep of memberships, members and payments runs
     * @param checkInterval how often the schedule is checked and interrupted runs are resumed (a plain number is milliseconds)
     */
    public record Poll(
            Boolean enabled,
            @DefaultValue("PT5M") @NotNull Duration interval,
            @DefaultValue("PT24H") @NotNull Duration fullInterval,
            @DefaultValue("30000") @NotNull @DurationMin(millis = 1) Duration checkInterval) {
    }

    /**
     * What a pull reads and keeps.
     *
     * @param overlap             incremental pulls ask for changes since the watermark minus this
     * @param productIds          pull only these products; empty: all
     * @param resumeWaitingAfter  a run whose retries were spent resumes from its cursor after this
     * @param progressLogInterval how often a running pull logs its progress
     * @param keepFullRuns        full runs whose seen records are kept for reconciliation
     */
    public record Sync(
            @DefaultValue("PT10M") @NotNull Duration overlap,
            @DefaultValue List<String> productIds,
            @DefaultValue("PT5M") @NotNull Duration resumeWaitingAfter,
            @DefaultValue("5s") @NotNull Duration progressLogInterval,
            @DefaultValue("3") @Min(1) int keepFullRuns) {
    }

    /**
     * OAuth instead of an API key; tokens are stored encrypted.
     *
     * @param clientId      the Whop app (app_...) to connect through OAuth
     * @param clientSecret  sent with token requests only when set
     * @param redirectUri   the callback registered with the app
     * @param baseUrl       where /authorize, /token and /revoke live
     * @param scope         the scopes asked for
     * @param refreshBefore access tokens are refreshed this long before they expire
     */
    public record OAuth(
            String clientId,
            String clientSecret,
            String redirectUri,
            @DefaultValue("https://api.whop.com/oauth") @NotNull URI baseUrl,
            @DefaultValue("openid profile email") @NotBlank String scope,
            @DefaultValue("PT5M") @NotNull Duration refreshBefore) {

        public OAuth {
            clientId = blankToNull(clientId);
            clientSecret = blankToNull(clientSecret);
            redirectUri = blankToNull(redirectUri);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
