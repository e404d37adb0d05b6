package io.sluice.ai.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.ai.AiCallException;
import io.sluice.ai.AiQuotaException;
import io.sluice.ai.AiResults;
import io.sluice.ai.ChatModel;
import io.sluice.config.SluiceProperties;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Anthropic's {@code POST <base>/messages}: {@code x-api-key}, a pinned
 * {@code anthropic-version}, structured answers with {@code output_config.format}. Usage is normalised: input =
 * {@code input_tokens + cache_creation_input_tokens + cache_read_input_tokens}, cached = cache reads. 429 and 529
 * (overloaded) are retryable; a billing error or a spent spend limit is not.
 */
final class AnthropicMessages implements ChatModel {

    private static final Set<String> SPEND_LIMITS = Set.of("enforced_spend_limit_reached");

    private final SluiceProperties.Anthropic config;
    private final ProducerTemplate producer;
    private final ObjectMapper json;

    AnthropicMessages(SluiceProperties.Anthropic config, ProducerTemplate producer, ObjectMapper json) {
        if (config.apiKey() == null || config.apiKey().isBlank()) {
            throw new IllegalArgumentException("ANTHROPIC_API_KEY is required with AI_PROVIDER=anthropic");
        }
        this.config = config;
        this.producer = producer;
        this.json = json;
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
        String payload;
        try {
            payload = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Exchange result = producer.send(config.baseUrl().toString().replaceAll("/+$", "") + "?throwExceptionOnFailure=false", exchange -> {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_METHOD, "POST");
            message.setHeader(Exchange.HTTP_PATH, "/messages");
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setHeader("x-api-key", config.apiKey().trim());
            message.setHeader("anthropic-version", config.version());
            message.setBody(payload);
        });
        if (result.getException() != null) {
            throw new AiCallException("cannot reach anthropic: " + result.getException().getClass().getSimpleName(), true, null);
        }
        int status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        JsonNode answer = parse(result.getMessage().getBody(byte[].class));
        if (status >= 200 && status < 300 && answer != null) {
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
        JsonNode error = answer == null ? json.createObjectNode() : answer.path("error");
        String type = error.path("type").asText("");
        String code = error.path("details").path("error_code").asText("");
        String what = "anthropic answered HTTP " + status + " (" + type + "): " + error.path("message").asText("(no message)");
        if (status == 402 || "billing_error".equals(type) || SPEND_LIMITS.contains(code)) {
            throw new AiQuotaException(what + ": fix the billing or spend limit, then lift the ai pause");
        }
        if (status == 429 || status == 529 || status == 408 || status >= 500) {
            throw new AiCallException(what, true, retryAfter(result));
        }
        throw new AiCallException(what + (status == 401 || status == 403 ? " (check ANTHROPIC_API_KEY)" : ""), false, null);
    }

    private static Duration retryAfter(Exchange result) {
        return io.sluice.http.RetryAfter.parse(result.getMessage().getHeader("retry-after", String.class), java.time.Instant.now());
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return bytes == null || bytes.length == 0 ? null : json.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }
}
