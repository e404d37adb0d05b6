package io.sluice.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP call to a provider, described before it is sent, so that {@code POST /api/mappings/preview} can show it
 * exactly and the client can send it.
 *
 * @param operation a short name for metrics and logs, e.g. {@code person.upsert}
 * @param path      under the provider's base URL, without the query
 * @param query     already encoded, or null
 * @param body      JSON (a Jackson tree or a serialisable value), a form string, or null
 * @param contentType the body's type; null means JSON
 * @param accept      the answer's type asked for: JSON, or a document type for downloads
 */
public record ApiRequest(String operation, String method, String path, String query, Object body, String contentType,
                         String accept) {

    public ApiRequest(String operation, String method, String path, String query, Object body, String contentType) {
        this(operation, method, path, query, body, contentType, "application/json");
    }

    public ApiRequest(String operation, String method, String path, String query, Object body) {
        this(operation, method, path, query, body, null);
    }

    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("operation", operation);
        d.put("method", method);
        d.put("path", query == null ? path : path + "?" + query);
        d.put("body", body);
        return d;
    }
}
