package io.sluice.ai.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.ai.AiCallException;
import io.sluice.ai.AiQuotaException;
import io.sluice.ai.AiResults;
import io.sluice.config.SluiceProperties;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * {@code POST <base>/chat/completions} through Camel's HTTP component: the system
 * message holds every instruction, the user message only data; structured answers use {@code response_format:
 * json_schema} (strict). A 429 of type {@code insufficient_quota} is a spent budget, not a rate limit, and is not retried (docs/ai.md).
 */
final class OpenAiChat implements io.sluice.ai.ChatModel {

    private static final Set<String> QUOTA_CODES = Set.of("insufficient_quota", "credit_balance_exhausted",
            "organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded");

    private final SluiceProperties.OpenAi config;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final String providerName;

    OpenAiChat(SluiceProperties.OpenAi config, ProducerTemplate producer, ObjectMapper json, String providerName) {
        this.config = config;
        this.producer = producer;
        this.json = json;
        this.providerName = providerName;
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
        String uri = config.baseUrl().toString().replaceAll("/+$", "") + "?throwExceptionOnFailure=false";
        String payload;
        try {
            payload = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Exchange result = producer.send(uri, exchange -> {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_METHOD, "POST");
            message.setHeader(Exchange.HTTP_PATH, "/chat/completions");
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            if (config.apiKey() != null && !config.apiKey().isBlank()) {
                message.setHeader("Authorization", "Bearer " + config.apiKey().trim());
            }
            message.setBody(payload);
        });
        if (result.getException() != null) {
            throw new AiCallException("cannot reach " + providerName + ": " + result.getException().getClass().getSimpleName(), true, null);
        }
        int status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        JsonNode answer = parse(result.getMessage().getBody(byte[].class));
        if (status >= 200 && status < 300 && answer != null) {
            JsonNode choice = answer.path("choices").path(0);
            JsonNode usage = answer.path("usage");
            return new Answer(choice.path("message").path("content").asText(null), "length".equals(choice.path("finish_reason").asText("")),
                    new AiResults.Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                            usage.path("prompt_tokens_details").path("cached_tokens").asLong(0)));
        }
        JsonNode error = answer == null ? json.createObjectNode() : answer.path("error");
        String what = providerName + " answered HTTP " + status + ": " + error.path("message").asText("(no message)");
        if (status == 429 && (QUOTA_CODES.contains(error.path("type").asText()) || QUOTA_CODES.contains(error.path("code").asText()))) {
            throw new AiQuotaException(what + " (" + error.path("code").asText(error.path("type").asText()) + "): fix the billing or "
                    + "quota, then lift the ai pause");
        }
        if (status == 429 || status == 408 || status >= 500) {
            throw new AiCallException(what, true, retryAfter(result));
        }
        throw new AiCallException(what + (status == 401 || status == 403 ? " (check OPENAI_API_KEY)" : ""), false, null);
    }

    private static Duration retryAfter(Exchange result) {
        return io.sluice.http.RetryAfter.parse(result.getMessage().getHeader("retry-after-ms", String.class),
                result.getMessage().getHeader("Retry-After", String.class), java.time.Instant.now());
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return bytes == null || bytes.length == 0 ? null : json.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }
}
