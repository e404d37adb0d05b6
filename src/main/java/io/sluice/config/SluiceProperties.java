package io.sluice.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
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
        @DefaultValue @Valid Inbox inbox,
        @DefaultValue @Valid Processing processing,
        String encryptionKey,
        @DefaultValue @Valid Ai ai) {

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

    /**
     * Whop: webhook secrets exactly as Whop shows them (several at once during rotation), and the REST API that
     * scheduled pulls and backfills read.
     */
    public record Whop(
            @DefaultValue List<String> webhookSecrets,
            String apiKey,
            String companyId,
            @DefaultValue("https://api.whop.com/api/v1") @NotNull URI apiBaseUrl,
            @DefaultValue("2026-07-20") @NotBlank String apiVersionDate,
            @DefaultValue @Valid WhopApi api,
            @DefaultValue @Valid WhopPoll poll,
            @DefaultValue @Valid WhopSync sync,
            @DefaultValue @Valid WhopOAuth oauth) {

        public Whop {
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
    }

    /** How Sluice calls the Whop API: a rate, page size and retry policy. */
    public record WhopApi(
            @DefaultValue("5") @Min(1) @Max(1000) int maxRequestsPerSecond,
            @DefaultValue("100") @Min(1) @Max(100) int pageSize,
            @DefaultValue("6") @Min(0) @Max(100) int maxRetries,
            @DefaultValue("1000") @NotNull Duration retryDelay,
            @DefaultValue("60000") @NotNull Duration maxRetryDelay,
            @DefaultValue("120s") @NotNull Duration maxRetryAfter) {
    }

    /** The schedule: incremental pulls (payments since the watermark) and full sweeps of every resource. */
    public record WhopPoll(
            Boolean enabled,
            @DefaultValue("PT5M") @NotNull Duration interval,
            @DefaultValue("PT24H") @NotNull Duration fullInterval,
            @DefaultValue("30000") @NotNull Duration checkInterval) {
    }

    public record WhopSync(
            @DefaultValue("PT10M") @NotNull Duration overlap,
            @DefaultValue List<String> productIds,
            @DefaultValue("PT5M") @NotNull Duration resumeWaitingAfter,
            @DefaultValue("5s") @NotNull Duration progressLogInterval,
            @DefaultValue("3") @Min(1) int keepFullRuns) {
    }

    /** OAuth instead of an API key; tokens are stored encrypted. */
    public record WhopOAuth(
            String clientId,
            String clientSecret,
            String redirectUri,
            @DefaultValue("https://api.whop.com/oauth") @NotNull URI baseUrl,
            @DefaultValue("openid profile email") @NotBlank String scope,
            @DefaultValue("PT5M") @NotNull Duration refreshBefore) {

        public WhopOAuth {
            clientId = blankToNull(clientId);
            clientSecret = blankToNull(clientSecret);
            redirectUri = blankToNull(redirectUri);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /**
     * AI enrichment. {@code provider} {@code heuristic} works offline; {@code dailyTokenBudget} (0 = none) stops model
     * calls for the day once spent; {@code enrichOn} lists the event types whose person gets scored. At most
     * {@code maxRequests} model calls go out in any {@code per} (per process), and a 429 holds every call.
     */
    public record Ai(
            @DefaultValue("heuristic") @NotBlank String provider,
            @DefaultValue("0") @Min(0) long dailyTokenBudget,
            @DefaultValue({"membership.activated", "payment.failed"}) List<String> enrichOn,
            @DefaultValue("300") @Min(1) int maxRequests,
            @DefaultValue("1m") @NotNull Duration per,
            @DefaultValue @Valid OpenAi openai,
            @DefaultValue @Valid Anthropic anthropic) {

        public static final List<String> AVAILABLE_PROVIDERS = List.of("heuristic", "openai", "openai-compatible", "anthropic");

        public Ai {
            if (!AVAILABLE_PROVIDERS.contains(provider)) {
                throw new IllegalArgumentException("sluice.ai.provider (AI_PROVIDER) = '" + provider
                        + "' is not available in this version; use one of " + AVAILABLE_PROVIDERS);
            }
        }
    }

    /**
     * OpenAI Chat Completions, or any server speaking it ({@code openai-compatible}: Ollama, vLLM, llama.cpp) at
     * {@code baseUrl}. {@code temperature} is sent only when set: some models reject sampling parameters.
     */
    public record OpenAi(
            @DefaultValue("https://api.openai.com/v1") @NotNull URI baseUrl,
            String apiKey,
            @DefaultValue("gpt-4o-mini") @NotBlank String model,
            Double temperature,
            @DefaultValue("800") @Min(16) int maxCompletionTokens) {
    }

    /**
     * Anthropic Messages. {@code version} is sent as {@code anthropic-version}; version
     * 2026-10-21 rejects sampling parameters, so {@code temperature} is refused at start-up with it.
     */
    public record Anthropic(
            @DefaultValue("https://api.anthropic.com/v1") @NotNull URI baseUrl,
            String apiKey,
            @DefaultValue("claude-sonnet-4-5") @NotBlank String model,
            @DefaultValue("2026-10-21") @NotBlank String version,
            Double temperature) {

        public Anthropic {
            if (temperature != null && "2026-10-21".equals(version)) {
                throw new IllegalArgumentException("sluice.ai.anthropic.temperature cannot be used with anthropic-version 2026-10-21, "
                        + "which rejects sampling parameters; remove it or pin sluice.ai.anthropic.version=2023-06-01");
            }
        }
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

    /** The CRM providers this version can write to. */
    public static final List<String> AVAILABLE_PROVIDERS = List.of("local", "twenty", "hubspot", "zoho", "odoo");

    /** The CRM written to, its breaker, and each provider's connection and request budget. */
    public record Crm(
            @DefaultValue("local") @NotNull String provider,
            @DefaultValue @Valid Breaker breaker,
            @DefaultValue("120s") @NotNull Duration maxRetryAfter,
            @DefaultValue("5m") @NotNull @org.hibernate.validator.constraints.time.DurationMin(seconds = 10) Duration checkInterval,
            @DefaultValue("30s") @NotNull @org.hibernate.validator.constraints.time.DurationMin(seconds = 1) Duration checkIntervalWhileBroken,
            @DefaultValue("true") boolean checkHoldsEvents,
            @DefaultValue("10s") @NotNull Duration refusalRecheckGap,
            @DefaultValue("10s") @NotNull Duration writeLockWait,
            @DefaultValue("60s") @NotNull @org.hibernate.validator.constraints.time.DurationMin(seconds = 3) Duration writeLease,
            @DefaultValue("2") @Min(1) int batchConsumers,
            @DefaultValue("0") @Min(0) int batchSize,
            @DefaultValue("500ms") @NotNull @org.hibernate.validator.constraints.time.DurationMin(millis = 1) Duration batchWait,
            @DefaultValue @Valid Twenty twenty,
            @DefaultValue @Valid HubSpot hubspot,
            @DefaultValue @Valid Zoho zoho,
            @DefaultValue @Valid Odoo odoo) {

        public Crm {
            if (!AVAILABLE_PROVIDERS.contains(provider)) {
                throw new IllegalArgumentException("sluice.crm.provider (CRM_PROVIDER) = '" + provider
                        + "' is not available in this version; use one of " + AVAILABLE_PROVIDERS);
            }
        }
    }

    /**
     * HubSpot (docs/connectors/hubspot.md): 100 requests per 10 s per app on Free/Starter, 190 on Professional and Enterprise.
     * Deals are upserted by {@code membershipIdProperty}, a deal property with unique values created once.
     * {@code noteIdProperty}, when set, names a unique note property to upsert notes by; otherwise notes are
     * created once and remembered by id.
     */
    public record HubSpot(
            @DefaultValue("https://api.hubapi.com") @NotNull URI baseUrl,
            String accessToken,
            @DefaultValue("90") @Min(1) int maxRequests,
            @DefaultValue("10s") @NotNull Duration per,
            @DefaultValue("default") @NotBlank String pipeline,
            @DefaultValue("whop_membership_id") @NotBlank String membershipIdProperty,
            String noteIdProperty,
            @DefaultValue("10m") @NotNull Duration pipelineCacheTtl,
            @DefaultValue("10s") @NotNull Duration rollingLimitWait) {
    }

    /**
     * Zoho CRM (docs/connectors/zoho.md): OAuth refresh at the data centre's accounts server; the API host comes with the
     * token ({@code api_domain}) unless {@code apiBaseUrl} is set. Deals are upserted by {@code membershipIdField}, an
     * External ID or unique field created once. No per-second limit is published: the budget below stands in for
     * the edition's concurrency; the 24-hour credits are the real ceiling.
     */
    public record Zoho(
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

    /**
     * Odoo (docs/connectors/odoo.md): the JSON-2 API of Odoo 19+ ({@code json2}) or JSON-RPC {@code execute_kw} for older
     * releases ({@code jsonrpc}). Odoo has no upsert: partners are found by email and leads by {@code leadKeyField}
     * (a custom field created once), then written or created. No rate limit is published; the budget protects
     * the server's workers. {@code lostReasonId}, when set, is the {@code crm.lost.reason} a lost lead gets.
     */
    public record Odoo(
            String url,
            String db,
            String username,
            String apiKey,
            @DefaultValue("json2") @NotNull OdooApi api,
            @DefaultValue("20") @Min(1) int maxRequests,
            @DefaultValue("1s") @NotNull Duration per,
            @DefaultValue("x_whop_membership_id") @NotBlank String leadKeyField,
            Long lostReasonId) {
    }

    /** Which Odoo API to call. */
    public enum OdooApi { json2, jsonrpc }

    /**
     * Twenty (docs/connectors/twenty.md). Twenty allows 100 requests per 60 s per workspace, shared by every API key
     * and every other client; the default budget leaves a fifth of it to them. Its 429 names no wait:
     * {@code rateLimitWait} is how long Sluice then waits. {@code noteTargetPersonField}/{@code OpportunityField}
     * name the noteTarget relations: {@code targetPersonId}/{@code targetOpportunityId} in current releases,
     * {@code personId}/{@code opportunityId} in older ones.
     */
    public record Twenty(
            @DefaultValue("https://api.twenty.com") @NotNull URI baseUrl,
            String apiKey,
            @DefaultValue("80") @Min(1) int maxRequests,
            @DefaultValue("60s") @NotNull Duration per,
            @DefaultValue("60s") @NotNull Duration rateLimitWait,
            @DefaultValue("targetPersonId") @NotBlank String noteTargetPersonField,
            @DefaultValue("targetOpportunityId") @NotBlank String noteTargetOpportunityField) {
    }

    /** The CRM circuit breaker: opens when this share of the recent calls failed. */
    public record Breaker(
            @DefaultValue("50") @Min(1) @Max(100) float failureRateThreshold,
            @DefaultValue("20") @Min(1) int minimumNumberOfCalls,
            @DefaultValue("50") @Min(1) int slidingWindowSize,
            @DefaultValue("30s") @NotNull Duration waitInOpenState) {
    }

    /**
     * How long a failure that waiting can heal (the CRM down, slow or rate-limiting) is retried: after the route's
     * quick redeliveries ({@code max-redeliveries}, {@code redelivery-delay}), the event waits in the inbox for the
     * next step of {@code retrySchedule} (its last step repeats), until {@code retryHorizon} has passed since it first
     * failed; only then is it a dead letter. docs/reliability.md shows the schedule.
     */
    public record Processing(
            @DefaultValue({"30s", "2m", "5m", "15m", "30m", "1h", "2h", "4h"}) @jakarta.validation.constraints.NotEmpty List<Duration> retrySchedule,
            @DefaultValue("24h") @NotNull @org.hibernate.validator.constraints.time.DurationMin(seconds = 1) Duration retryHorizon) {

        public Processing {
            if (retrySchedule.stream().anyMatch(step -> step.isNegative() || step.isZero())) {
                throw new IllegalArgumentException("sluice.processing.retry-schedule: every step must be a positive duration, got " + retrySchedule);
            }
        }

        /** The wait before the next try of an event that waited {@code waits} times already. */
        public Duration step(int waits) {
            return retrySchedule.get(Math.min(Math.max(waits, 0), retrySchedule.size() - 1));
        }
    }

    /**
     * The JDBC inbox. Events are claimed every {@code pollInterval}, and at once when ingress stores one, at most
     * {@code maxWakesPerSecond} times a second.
     */
    public record Inbox(
            @DefaultValue("200ms") @NotNull Duration pollInterval,
            @DefaultValue("20") @Min(1) @Max(1000) int maxWakesPerSecond,
            @DefaultValue("100") @Min(1) int batchSize,
            @DefaultValue("4") @Min(1) int consumers,
            @DefaultValue("2") @Min(1) @Max(16) int writers,
            @DefaultValue("128") @Min(1) @Max(1000) int maxBatch,
            @DefaultValue("10m") @NotNull Duration claimTimeout,
            @DefaultValue("true") boolean autoStart) {
    }
}
