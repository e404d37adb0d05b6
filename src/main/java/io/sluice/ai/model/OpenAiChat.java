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
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST <base>/chat/completions} through the model's {@link ApiHttpClient} (budget, 429 hold, metrics): the system
 * message holds every instruction, the user message only data; structured answers use {@code response_format:
 * json_schema} (strict). A 429 of type {@code insufficient_quota} is a spent budget, not a rate limit, and is not retried (docs/ai.md).
 */
final class OpenAiChat implements io.sluice.ai.ChatModel {

    private static final Set<String> QUOTA_CODES = Set.of("insufficient_quota", "credit_balance_exhausted",
            "organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded");

    private final AiProperties.OpenAi config;
    private final ObjectMapper json;
    private final String providerName;
    private final ApiHttpClient client;

    OpenAiChat(AiProperties.OpenAi config, AiProperties ai, ApiHttpClients clients, ObjectMapper json, String providerName) {
        this.config = config;
        this.json = json;
        this.providerName = providerName;
        this.client = clients.createWithoutPermitWait("ai", AiCallFailures.INSTANCE, providerName, () -> config.baseUrl().toString(), this::authorization,
                "OPENAI_API_KEY", ai.maxRequests(), ai.per(), this::classify);
    }

    /** An OpenAI-compatible server may need no key. */
    private Map<String, String> authorization() {
        return config.apiKey() == null || config.apiKey().isBlank() ? Map.of() : Map.of("Authorization", "Bearer " + config.apiKey().trim());
    }

    @Override
    public ObjectNode request(String system, String user, String schemaName, JsonNode schema, int maxTokens) {
        ObjectNode body = json.createObjectNode();
        body.put("model", config.model());
        var messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", user);
        body.put("max_completion_tokens", maxTokens);
        if (config.temperature() != null) {
            body.put("temperature", config.temperature());
        }
        if (schema != null) {
            ObjectNode format = body.putObject("response_format");
            format.put("type", "json_schema");
            ObjectNode jsonSchema = format.putObject("json_schema");
            jsonSchema.put("name", schemaName);
            jsonSchema.put("strict", true);
            jsonSchema.set("schema", schema);
        }
        return body;
    }

    @Override
    public Answer send(ObjectNode body) {
        ApiResponse response = client.send(new ApiRequest("chat.completions", "POST", "/chat/completions", null, body));
        if (response.json() == null) {
            throw noAnswer(providerName, response, "OPENAI_BASE_URL");
        }
        JsonNode choice = response.json().path("choices").path(0);
        JsonNode usage = response.json().path("usage");
        return new Answer(choice.path("message").path("content").asText(null), "length".equals(choice.path("finish_reason").asText("")),
                new AiResults.Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                        usage.path("prompt_tokens_details").path("cached_tokens").asLong(0)));
    }

    /** OpenAI's error object names the problem; a spent quota (a 429 too) is not a rate limit and is not retried. */
    private RuntimeException classify(ApiRequest request, ApiResponse response) {
        int status = response.status();
        JsonNode error = response.json() == null ? json.createObjectNode() : response.json().path("error");
        String what = providerName + " answered HTTP " + status + ": " + error.path("message").asText("(no message)");
        if (status == 429 && (QUOTA_CODES.contains(error.path("type").asText()) || QUOTA_CODES.contains(error.path("code").asText()))) {
            return new AiQuotaException(what + " (" + error.path("code").asText(error.path("type").asText()) + "): fix the billing or "
                    + "quota, then lift the ai pause");
        }
        if (status == 429) {
            Duration asked = client.retryAfter(response);
            return new AiRateLimitedException(what, asked != null ? asked : client.window(), true); // the hold it causes
        }
        if (status == 408 || status >= 500) {
            return new AiCallException(what, true, client.retryAfter(response));
        }
        return new AiCallException(what + (status == 401 || status == 403 ? " (check OPENAI_API_KEY)" : ""), false, null);
    }

    /**
     * A success without a JSON answer: empty, the model service may be restarting (retry); anything else is some other
     * server at the base URL, which waiting cannot fix.
     */
    static AiCallException noAnswer(String provider, ApiResponse response, String baseUrlSetting) {
        if (response.body() == null || response.body().length == 0) {
            return new AiCallException(provider + " answered HTTP " + response.status() + " with no body", true, null);
        }
        return new AiCallException(provider + " answered HTTP " + response.status() + " with a body that is not JSON: check "
                + baseUrlSetting, false, null);
    }
}
