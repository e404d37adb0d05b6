package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.WhopApiStub;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connecting through OAuth: PKCE S256 and a single-use state, tokens stored encrypted,
 * refreshed before expiry with the rotated refresh token kept, revoked on disconnect.
 */
class WhopOAuthTest extends SluiceTestBase {

    private static final WireMockServer WHOP = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String CLIENT_ID = "app_T3stApp0123";
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        WHOP.start();
    }

    @DynamicPropertySource
    static void whopProperties(DynamicPropertyRegistry registry) {
        registry.add("sluice.whop.api-base-url", () -> WHOP.baseUrl() + "/api/v1");
        registry.add("sluice.whop.api-key", () -> "");
        registry.add("sluice.whop.company-id", () -> WhopApiStub.COMPANY);
        registry.add("sluice.whop.poll.enabled", () -> "false");
        registry.add("sluice.whop.poll.check-interval", () -> "100");
        registry.add("sluice.whop.api.max-retries", () -> "0");
        registry.add("sluice.whop.oauth.client-id", () -> CLIENT_ID);
        registry.add("sluice.whop.oauth.redirect-uri", () -> "https://sluice.example.com/auth/whop/callback");
        registry.add("sluice.whop.oauth.base-url", () -> WHOP.baseUrl() + "/oauth");
    }

    @BeforeEach
    void resetWhop() {
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM whop_sync_run WHERE status = 'RUNNING'") == 0);
        WHOP.resetAll();
    }

    @Test
    void connectingPullsWithTheAccessTokenRefreshesItWithRotationAndDisconnectRevokes() throws Exception {
        Map<String, String> authorize = authorizeRedirect();
        assertThat(authorize).containsEntry("client_id", CLIENT_ID).containsEntry("response_type", "code")
                .containsEntry("code_challenge_method", "S256").containsEntry("company_id", WhopApiStub.COMPANY)
                .containsEntry("redirect_uri", "https://sluice.example.com/auth/whop/callback");
        WHOP.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("grant_type=authorization_code"))
                .willReturn(okJson("{\"access_token\":\"at_first\",\"refresh_token\":\"rt_first\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));

        HttpResponse<String> callback = get("/auth/whop/callback?code=code_123&state=" + authorize.get("state"));
        assertThat(callback.statusCode()).isEqualTo(200);
        assertThat(callback.body()).contains("Connected to Whop");
        Map<String, String> tokenRequest = form(WHOP.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))).get(0));
        assertThat(tokenRequest).containsEntry("code", "code_123").containsEntry("client_id", CLIENT_ID);
        assertThat(challenge(tokenRequest.get("code_verifier"))).isEqualTo(authorize.get("code_challenge"));
        byte[] stored = jdbc.queryForObject("SELECT access_token FROM whop_connection", byte[].class);
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("at_first");
        assertThat(get("/auth/whop/callback?code=code_123&state=" + authorize.get("state")).statusCode())
                .as("a state is used once").isEqualTo(400);

        pullWith("at_first");

        WHOP.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("refresh_token=rt_first"))
                .willReturn(okJson("{\"access_token\":\"at_second\",\"refresh_token\":\"rt_second\",\"expires_in\":3600}")));
        clock.advance(Duration.ofMinutes(57)); // within sluice.whop.oauth.refresh-before of expiry
        pullWith("at_second");
        assertThat(form(WHOP.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))).get(1)))
                .containsEntry("grant_type", "refresh_token").containsEntry("company_id", WhopApiStub.COMPANY);

        JsonNode status = adminJson("GET", "/api/status").path("whop");
        assertThat(status.path("credential").asText()).isEqualTo("oauth");
        assertThat(status.path("oauth").path("connected").asBoolean()).isTrue();
        assertThat(status.toString()).doesNotContain("at_second").doesNotContain("rt_second");

        WHOP.stubFor(post(urlPathEqualTo("/oauth/revoke")).willReturn(aResponse().withStatus(200)));
        assertThat(adminJson("DELETE", "/api/whop/connection").path("disconnected").asBoolean()).isTrue();
        WHOP.verify(postRequestedFor(urlPathEqualTo("/oauth/revoke"))
                .withRequestBody(equalToJson("{\"token\":\"rt_second\",\"client_id\":\"" + CLIENT_ID + "\"}")));
        assertThat(adminJson("GET", "/api/status").path("whop").path("oauth").path("connected").asBoolean()).isFalse();
    }

    @Test
    void aRefusedRefreshStopsTheSyncAndAsksToReconnect() throws Exception {
        Map<String, String> authorize = authorizeRedirect();
        WHOP.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("grant_type=authorization_code"))
                .willReturn(okJson("{\"access_token\":\"at_old\",\"refresh_token\":\"rt_old\",\"expires_in\":60}")));
        assertThat(get("/auth/whop/callback?code=c&state=" + authorize.get("state")).statusCode()).isEqualTo(200);
        WHOP.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(aResponse().withStatus(400).withHeader("content-type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}")));

        String id = jsonOf(postAdmin("/api/sync/whop", "{\"mode\":\"full\"}")).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(adminJson("GET", "/api/sync/whop/" + id).path("status").asText()));

        assertThat(adminJson("GET", "/api/sync/whop/" + id).path("lastError").asText())
                .contains("invalid_grant").contains("reconnect at /auth/whop").doesNotContain("rt_old");
    }

    @Test
    void aCallbackWithAForeignStateChangesNothing() {
        HttpResponse<String> response = get("/auth/whop/callback?code=c&state=made-up");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("unknown, used or expired OAuth state");
        assertThat(count("SELECT COUNT(*) FROM whop_connection")).isZero();
        assertThat(get("/auth/whop").statusCode()).as("starting a connection needs the admin credentials").isEqualTo(401);
    }

    private void pullWith(String accessToken) {
        WhopApiStub whop = new WhopApiStub(WHOP, accessToken);
        whop.pages("members", List.of(member(1, T)), 2);
        whop.pages("memberships", List.of(), 2);
        whop.pages("payments", List.of(), 2);
        String id = jsonOf(postAdmin("/api/sync/whop", "{\"mode\":\"full\"}")).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "COMPLETED".equals(adminJson("GET", "/api/sync/whop/" + id).path("status").asText()));
    }

    private Map<String, String> authorizeRedirect() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/auth/whop"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build());
        assertThat(response.statusCode()).isEqualTo(302);
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertThat(location.getPath()).isEqualTo("/oauth/authorize");
        return parse(location.getRawQuery());
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build());
    }

    private HttpResponse<String> postAdmin(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(LoggedRequest request) {
        return parse(request.getBodyAsString());
    }

    private static Map<String, String> parse(String query) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static String challenge(String verifier) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }
}
