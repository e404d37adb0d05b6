package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * HTTP exchanges recorded from a real server, one JSON file each under {@code src/test/resources/fixtures/<dir>/}
 * ({@code {"request":{…},"response":{"status","headers","body"}}}), and their answers served by WireMock as recorded.
 */
final class RecordedExchanges {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers the HTTP layer sets itself; replaying them would contradict the body WireMock sends. */
    private static final Set<String> TRANSPORT_HEADERS = Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "date");

    private final String dir;

    RecordedExchanges(String dir) {
        this.dir = dir;
    }

    JsonNode exchange(String name) {
        try (InputStream in = RecordedExchanges.class.getResourceAsStream("/fixtures/" + dir + "/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no recorded exchange " + dir + "/" + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded answer of exchange {@code name}: status, headers and body. */
    ResponseDefinitionBuilder answer(String name) {
        JsonNode response = exchange(name).path("response");
        ResponseDefinitionBuilder answer = aResponse().withStatus(response.path("status").asInt());
        response.path("headers").fields().forEachRemaining(h -> {
            if (!TRANSPORT_HEADERS.contains(h.getKey().toLowerCase())) {
                answer.withHeader(h.getKey(), h.getValue().asText());
            }
        });
        JsonNode body = response.path("body");
        return answer.withBody(body.isTextual() ? body.asText() : body.toString());
    }
}
