package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.ai.AiService;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/ai/{score-lead|sentiment|summarize|draft-email|generate}}: ad-hoc AI operations. */
@RestController
class AiController {

    private static final int MAX_TEXT = 20_000;
    private static final int MAX_TOKENS = 4_096;

    private final AiService ai;

    AiController(AiService ai) {
        this.ai = ai;
    }

    @PostMapping("/api/ai/{operation}")
    Object run(@PathVariable String operation, @RequestBody(required = false) JsonNode body) {
        JsonNode request = body == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : body;
        return switch (operation) {
            case "score-lead" -> ai.scoreLead(ai.person(text(request, "email", 320)));
            case "sentiment" -> ai.sentiment(text(request, "text", MAX_TEXT));
            case "summarize" -> ai.summarize(text(request, "text", MAX_TEXT));
            case "draft-email" -> ai.draftEmail(ai.person(text(request, "email", 320)),
                    request.path("purpose").isTextual() ? request.path("purpose").asText() : null);
            case "generate" -> ai.generate(text(request, "prompt", MAX_TEXT), maxTokens(request));
            default -> throw new java.util.NoSuchElementException("no AI operation '" + operation
                    + "'; use score-lead, sentiment, summarize, draft-email or generate");
        };
    }

    private static String text(JsonNode request, String field, int max) {
        JsonNode value = request.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("the body needs a non-empty string field '" + field + "'");
        }
        if (value.asText().length() > max) {
            throw new IllegalArgumentException("'" + field + "' is longer than " + max + " characters");
        }
        return value.asText();
    }

    private static int maxTokens(JsonNode request) {
        JsonNode value = request.path("maxTokens");
        if (value.isMissingNode() || value.isNull()) {
            return 512;
        }
        if (!value.canConvertToInt() || value.asInt() < 1 || value.asInt() > MAX_TOKENS) {
            throw new IllegalArgumentException("'maxTokens' must be a whole number from 1 to " + MAX_TOKENS);
        }
        return value.asInt();
    }
}
