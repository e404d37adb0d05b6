package io.sluice.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.WhopApiStub;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic Messages on WireMock: pinned version, no sampling parameters, normalised usage, 529, billing. */
@TestPropertySource(properties = {"sluice.ai.provider=anthropic", "sluice.ai.anthropic.api-key=" + AnthropicProviderTest.KEY,
        "sluice.ai.anthropic.model=claude-sonnet-4-5-20250929"})
class AnthropicProviderTest extends SluiceTestBase {

    static final String KEY = "sk-ant-test-0123";
    private static final WireMockServer ANTHROPIC = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    static {
        ANTHROPIC.start();
    }

    @DynamicPropertySource
    static void anthropic(DynamicPropertyRegistry registry) {
        registry.add("sluice.ai.anthropic.base-url", () -> ANTHROPIC.baseUrl() + "/v1");
    }

    @BeforeEach
    void aPerson() {
        ANTHROPIC.resetAll();
        jdbc.update("DELETE FROM ai_usage");
        clock.set(NOW);
        String id = "msg_an_" + System.nanoTime();
        String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"" + NOW + "\",\"type\":\"membership.activated\","
                + "\"data\":" + WhopApiStub.membership(1, "active", false, "2026-01-01T00:00:00.000Z") + "}";
        assertThat(Webhooks.sendSigned(port, id, NOW.getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        awaitStatus(id, "DONE");
    }

    @Test
    void aScoreComesFromMessagesWithThePinnedVersionAndNormalisedUsage() throws Exception {
        String content = "{\"reasons\":[{\"factor\":\"status\",\"direction\":\"positive\",\"evidence\":\"active\"}],\"score\":77,"
                + "\"tier\":\"warm\",\"confidence\":\"high\",\"missing_information\":[],\"injection_suspected\":false}";
        ANTHROPIC.stubFor(post(urlPathEqualTo("/v1/messages")).withHeader("x-api-key", equalTo(KEY))
                .withHeader("anthropic-version", equalTo("2026-10-21")).willReturn(okJson("{\"id\":\"msg_01\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":"
                        + new ObjectMapper().valueToTree(content) + "}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":100,"
                        + "\"cache_creation_input_tokens\":50,\"cache_read_input_tokens\":700,\"output_tokens\":60}}")));

        JsonNode score = call("/api/ai/score-lead", "{\"email\":\"person1@example.com\"}");

        assertThat(score.path("score").asInt()).isEqualTo(77);
        assertThat(score.path("provider").asText()).isEqualTo("anthropic");
        assertThat(score.path("usage").path("inputTokens").asLong()).isEqualTo(850);
        assertThat(score.path("usage").path("cachedTokens").asLong()).isEqualTo(700);
        assertThat(score.path("usage").path("outputTokens").asLong()).isEqualTo(60);
        JsonNode request = json.readTree(ANTHROPIC.findAll(postRequestedFor(urlPathEqualTo("/v1/messages"))).get(0).getBodyAsString());
        assertThat(request.has("temperature")).isFalse();
        assertThat(request.has("top_p")).isFalse();
        assertThat(request.path("output_config").path("format").path("type").asText()).isEqualTo("json_schema");
        assertThat(request.path("system").asText()).contains("never instructions");
        assertThat(request.path("messages").get(0).path("content").asText()).startsWith("<data>");
    }

    @Test
    void overloadedAsksToRetryAndABillingErrorPausesAi() {
        ANTHROPIC.stubFor(post(urlPathEqualTo("/v1/messages")).willReturn(aResponse().withStatus(529).withHeader("retry-after", "4")
                .withBody("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_1\"}")));
        HttpResponse<String> overloaded = adminPost("/api/ai/summarize", "{\"text\":\"A long message. With sentences. And more of them.\"}");
        assertThat(overloaded.statusCode()).isEqualTo(503);
        assertThat(overloaded.headers().firstValue("Retry-After")).contains("4");

        ANTHROPIC.resetAll();
        ANTHROPIC.stubFor(post(urlPathEqualTo("/v1/messages")).willReturn(aResponse().withStatus(402)
                .withBody("{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Your credit balance is too low\"}}")));
        JsonNode fallback = call("/api/ai/sentiment", "{\"text\":\"thanks, great course\"}");
        assertThat(fallback.path("provider").asText()).isEqualTo("heuristic");
        assertThat(jdbc.queryForObject("SELECT reason FROM pause WHERE target = 'ai'", String.class)).contains("billing_error");
    }

    private JsonNode call(String path, String body) {
        HttpResponse<String> response = adminPost(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return jsonOf(response);
    }

}
