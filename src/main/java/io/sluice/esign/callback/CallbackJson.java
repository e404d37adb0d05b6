package io.sluice.esign.callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.webhook.InvalidWebhookPayloadException;

import java.io.IOException;

/** Reads a signed callback body as JSON; what is not JSON is a 400 that says where it broke. */
final class CallbackJson {

    private CallbackJson() {
    }

    static JsonNode read(ObjectMapper json, byte[] body, String what) {
        if (body == null || body.length == 0) {
            throw new InvalidWebhookPayloadException(null, what + " is empty; expected JSON");
        }
        try {
            JsonNode root = json.readTree(body);
            if (root == null || !(root.isObject() || root.isArray())) {
                throw new InvalidWebhookPayloadException(null, what + " is not a JSON object or array");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidWebhookPayloadException(null, what + " is not valid JSON: " + io.sluice.webhook.JsonErrors.describe(e));
        } catch (IOException e) {
            throw new InvalidWebhookPayloadException(null, what + " is not valid JSON");
        }
    }

    /** A text field, or null when absent, blank or not a scalar. */
    static String text(JsonNode node) {
        return node == null || !node.isValueNode() || node.isNull() || node.asText().isBlank() ? null : node.asText().trim();
    }

    static byte[] bytes(ObjectMapper json, JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
