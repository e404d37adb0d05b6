package io.sluice.ai;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * AI enrichment. {@code provider} {@code heuristic} works offline; {@code dailyTokenBudget} (0 = none) stops model
 * calls for the day once spent; {@code enrichOn} lists the event types whose person gets scored. At most
 * {@code maxRequests} model calls go out in any {@code per} (shared by the replicas on one PostgreSQL), and a 429 holds every call.
 *
 * @param provider         heuristic, openai, openai-compatible or anthropic
 * @param dailyTokenBudget tokens a day for model providers (0: no limit); then the heuristic answers
 * @param enrichOn         event types whose person is scored
 * @param maxRequests      model calls in any window of per, per process
 * @param per              the window of max-requests
 */
@Validated
@ConfigurationProperties("sluice.ai")
public record AiProperties(
        @DefaultValue("heuristic") @NotBlank String provider,
        @DefaultValue("0") @Min(0) long dailyTokenBudget,
        @DefaultValue({"membership.activated", "payment.failed"}) List<String> enrichOn,
        @DefaultValue("300") @Min(1) int maxRequests,
        @DefaultValue("1m") @NotNull Duration per,
        @DefaultValue @Valid OpenAi openai,
        @DefaultValue @Valid Anthropic anthropic) {

    public static final List<String> AVAILABLE_PROVIDERS = List.of("heuristic", "openai", "openai-compatible", "anthropic");

    public AiProperties {
        if (!AVAILABLE_PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("sluice.ai.provider (AI_PROVIDER) = '" + provider
                    + "' is not available in this version; use one of " + AVAILABLE_PROVIDERS);
        }
    }

    /**
     * OpenAI Chat Completions, or any server speaking it ({@code openai-compatible}: Ollama, vLLM, llama.cpp) at
     * {@code baseUrl}. {@code temperature} is sent only when set: some models reject sampling parameters.
     *
     * @param baseUrl             OpenAI, or an OpenAI-compatible server
     * @param apiKey              required with openai
     * @param model               pin a dated model for repeatable scores
     * @param temperature         sent only when set
     * @param maxCompletionTokens cap on every answer
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
     *
     * @param baseUrl     Anthropic Messages
     * @param apiKey      required with anthropic
     * @param model       pin a dated model for repeatable scores
     * @param version     sent as anthropic-version
     * @param temperature only with version 2023-06-01; 2026-10-21 rejects it
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
}
