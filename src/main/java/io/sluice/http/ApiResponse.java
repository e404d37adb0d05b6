package io.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A CRM's answer: status, headers (names as sent) and body, parsed as JSON when the caller asks. */
public record ApiResponse(int status, Map<String, Object> headers, byte[] body, JsonNode json) {

    public String text() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
        for (var entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && entry.getValue() != null) {
                return entry.getValue().toString();
            }
        }
        return null;
    }
}
