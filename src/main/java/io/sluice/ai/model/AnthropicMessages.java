package io.sluice.ai.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.ai.AiCallException;
import io.sluice.ai.AiCallFailures;
import io.sluice.ai.AiProperties;
import io.sluice.ai.AiQuotaException;
import io.sluice.ai.AiRateLimitedException;
import io.sluice.ai.AiResults;
import io.sluice.ai.ChatModel;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic's {@code POST <base>/messages} through the model's {@link ApiHttpClient}: {@code x-api-key}, a pinned
 * {@code anthropic-version}, structured answers with {@code output_config.format}. Usage is normalised: input =
 * {@code input_tokens + cache_creation_input_tokens + cache_read_input_tokens}, cached = cache reads. 429 and 529
 * (overloaded) are retryable; a billing error or a spent spend limit is not.
 */
final class AnthropicMessages implements ChatModel {

    private static final Set<String> SPEND_LIMITS = Set.of("enforced_spend_limit_reached");

    private final AiProperties.Anthropic config;
    private final ObjectMapper json;
    private final ApiHttpClient client;

    AnthropicMessages(AiProperties.Anthropic config, AiProperties ai, ApiHttpClients clients, ObjectMapper json) {
        if (config.apiKey() == null || config.apiKey().isBlank()) {
            throw new IllegalArgumentException("ANTHROPIC_API_KEY is required with AI_PROVIDER=anthropic");
        }
        this.config = config;
        this.json = json;
        this.client = clients.createWithoutPermitWait("ai", AiCallFailures.INSTANCE, "anthropic", () -> config.baseUrl().toString(),
                () -> Map.of("x-api-key", config.apiKey().trim(), "anthropic-version", config.version()), "ANTHROPIC_API_KEY",
                ai.maxRequests(), ai.per(), this::classify);
    }

    @Override
    public ObjectNode request(String system, String user, String schemaName, JsonNode schema, int maxTokens) {
        ObjectNode body = json.createObjectNode();
        body.put("model", config.model());
        body.put("max_tokens", maxTokens);
        body.put("system", system);
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        if (config.temperature() != null) {
            body.put("temperature", config.temperature());
        }
        if (schema != null) {
            ObjectNode format = body.putObject("output_config").putObject("format");
            format.put("type", "json_schema");
            format.set("schema", schema);
        }
        return body;
    }

    @Override
    public Answer send(ObjectNode body) {
        ApiResponse response = client.send(new ApiRequest("messages", "POST", "/messages", null, body));
        JsonNode answer = response.json();
        if (answer == null) {
            throw OpenAiChat.noAnswer("anthropic", response, "ANTHROPIC_BASE_URL");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : answer.path("content")) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText());
            }
        }
        JsonNode usage = answer.path("usage");
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long input = usage.path("input_tokens").asLong(0) + usage.path("cache_creation_input_tokens").asLong(0) + cacheRead;
        String stop = answer.path("stop_reason").asText("");
        if ("refusal".equals(stop)) {
            return new Answer(null, false, new AiResults.Usage(input, usage.path("output_tokens").asLong(0), cacheRead));
        }
        return new Answer(text.toString(), "max_tokens".equals(stop),
                new AiResults.Usage(input, usage.path("output_tokens").asLong(0), cacheRead));
    }

    /** Anthropic's error object names the problem; billing and spend limits are not retried, 529 (overloaded) is. */
    private RuntimeException classify(ApiRequest request, ApiResponse response) {
        int status = response.status();
        JsonNode error = response.json() == null ? json.createObjectNode() : response.json().path("error");
        String type = error.path("type").asText("");
        String code = error.path("details").path("error_code").asText("");
        String what = "anthropic answered HTTP " + status + " (" + type + "): " + error.path("message").asText("(no message)");
        if (status == 402 || "billing_error".equals(type) || SPEND_LIMITS.contains(code)) {
            return new AiQuotaException(what + ": fix the billing or spend limit, then lift the ai pause");
        }
        if (status == 429) {
            Duration asked = client.retryAfter(response);
            return new AiRateLimitedException(what, asked != null ? asked : client.window(), true); // the hold it causes
        }
        if (status == 529 || status == 408 || status >= 500) {
            return new AiCallException(what, true, client.retryAfter(response));
        }
        return new AiCallException(what + (status == 401 || status == 403 ? " (check ANTHROPIC_API_KEY)" : ""), false, null);
    }
}
