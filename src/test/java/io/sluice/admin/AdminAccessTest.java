package io.sluice.admin;

import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API, Hawtio and Jolokia answer only to the admin token (Bearer, or Basic as user admin). */
class AdminAccessTest extends SluiceTestBase {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "GET, /api/status",
            "GET, /api/events",
            "GET, /api/events/msg_x",
            "GET, /api/dead-letters",
            "POST, /api/dead-letters/1/replay",
            "POST, /api/dead-letters/replay",
            "PUT, /api/pauses/crm",
            "DELETE, /api/pauses/crm",
            "GET, /api/crm/people",
            "GET, /api/crm/opportunities",
            "GET, /api/crm/notes",
            "POST, /api/mappings/preview",
            "GET, /actuator/sluice",
            "GET, /actuator/hawtio/index.html",
            "GET, /actuator/jolokia/version"})
    void everyAdminEndpointRefusesMissingOrWrongCredentials(String method, String path) {
        assertThat(admin(method, path, null).statusCode()).isEqualTo(401);
        assertThat(admin(method, path, "wrong-token").statusCode()).isEqualTo(401);
        assertThat(admin(method, path, ADMIN_TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(send(method, path, basic("admin", "wrong")).statusCode()).isEqualTo(401);
        assertThat(send(method, path, basic("root", ADMIN_TOKEN)).statusCode()).isEqualTo(401);
    }

    @Test
    void unauthenticatedAnswerIsJsonAndOffersBasicForBrowsers() {
        HttpResponse<String> response = admin("GET", "/api/status", null);
        assertThat(response.headers().allValues("WWW-Authenticate")).anyMatch(v -> v.startsWith("Basic"));
        assertThat(jsonOf(response).path("error").asText()).contains("admin credentials").doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void hawtioAndJolokiaOpenWithBasicAdminCredentials() {
        assertThat(send("GET", "/actuator/hawtio/index.html", basic("admin", ADMIN_TOKEN)).statusCode()).isEqualTo(200);
        HttpResponse<String> routes = send("GET", "/actuator/jolokia/search/org.apache.camel:type=routes,*", basic("admin", ADMIN_TOKEN));
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.body()).contains("whop-webhook").contains("process-event");
    }

    @Test
    void bearerTokenOpensTheAdminApi() {
        HttpResponse<String> status = admin("GET", "/api/status", ADMIN_TOKEN);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(jsonOf(status).path("provider").asText()).isEqualTo("local");
    }

    @Test
    void aWrongMediaTypeMethodOrPathIsAProblemToo() throws Exception {
        HttpResponse<String> plainText = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/mappings/preview"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrongMethod = admin("DELETE", "/api/status", ADMIN_TOKEN);
        HttpResponse<String> unknown = admin("GET", "/api/no-such-thing", ADMIN_TOKEN);

        assertThat(plainText.statusCode()).isEqualTo(415);
        assertThat(jsonOf(plainText).path("error").asText()).isEqualTo("unsupported media type");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(unknown.statusCode()).isEqualTo(404);
        for (HttpResponse<String> answer : List.of(plainText, wrongMethod, unknown)) {
            assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(jsonOf(answer).path("status").asInt()).isEqualTo(answer.statusCode());
            assertThat(answer.body()).doesNotContain("Exception").doesNotContain("trace");
        }

        // a value the database cannot hold is the request's fault, and the answer names no SQL
        HttpResponse<String> tooLong = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/pauses/crm"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reason\":\"" + "x".repeat(600) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("too long").doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("varchar");
        assertThat(admin("GET", "/api/pauses", ADMIN_TOKEN).body()).doesNotContain("xxxxxxxxxx");
    }

    @Test
    void theStatusIsEveryModulesPartInOrderAtTheApiAndAtTheActuator() {
        var api = jsonOf(admin("GET", "/api/status", ADMIN_TOKEN));
        var actuator = jsonOf(admin("GET", "/actuator/sluice", ADMIN_TOKEN));

        java.util.List<String> keys = new java.util.ArrayList<>();
        api.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("version", "mode", "database", "transport", "provider", "pauses", "queue", "deadLetters", "cluster",
                "rateLimits", "circuitBreakers", "localCrm", "lastSync", "whop", "ai", "esign", "mapping", "routes");
        java.util.List<String> actuatorKeys = new java.util.ArrayList<>();
        actuator.fieldNames().forEachRemaining(actuatorKeys::add);
        assertThat(actuatorKeys).isEqualTo(keys);
        assertThat(api.path("queue").path("pending").isNumber()).isTrue();
        assertThat(api.path("whop").path("credential").asText()).isNotEmpty();
    }

    @Test
    void anEventIsAnsweredWithItsSummaryThenWhatOnlyTheWholeEventHas() {
        byte[] body = io.sluice.support.Webhooks.membershipBody("msg_shape", "mem_shape", "shape@example.com", "S", "active", false,
                "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        assertThat(io.sluice.support.Webhooks.sendSigned(port, "msg_shape", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);

        var event = jsonOf(admin("GET", "/api/events/msg_shape", ADMIN_TOKEN));
        java.util.List<String> keys = new java.util.ArrayList<>();
        event.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("id", "source", "type", "subjectKey", "occurredAt", "status", "attempts", "lastError",
                "receivedAt", "updatedAt", "failingSince", "nextAttemptAt", "payload", "history");
        assertThat(event.path("payload").path("id").asText()).isEqualTo("msg_shape");
        assertThat(jsonOf(admin("GET", "/api/events?limit=1", ADMIN_TOKEN)).path("items").path(0).has("payload")).isFalse();
    }

    @Test
    void healthAndPrometheusStayOpenForProbesAndScrapers() {
        assertThat(admin("GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = admin("GET", "/actuator/prometheus", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("sluice_inbox_pending").contains("sluice_dead_letters");
    }

    @Test
    void aPageOfAnotherSiteCannotDriveTheAdminSurfaceWithTheBrowsersCredentials() {
        jdbc.update("INSERT INTO dead_letter (event_id, event_type, error, attempts, payload, created_at) "
                + "VALUES ('msg_x', 'membership.activated', 'e', 1, X'7B7D', CURRENT_TIMESTAMP)");
        String credentials = basic("admin", ADMIN_TOKEN);
        // a cross-site form post (text/plain needs no preflight) carrying the browser's cached Basic credentials
        HttpResponse<String> replay = sendFrom("POST", "/api/dead-letters/replay", credentials, "https://evil.example", "text/plain");
        assertThat(replay.statusCode()).isEqualTo(403);
        assertThat(replay.body()).contains("cross-origin");
        assertThat(count("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL")).isEqualTo(1);
        // Jolokia does not echo another origin, let alone with credentials
        HttpResponse<String> jolokia = sendFrom("GET", "/actuator/jolokia/version", credentials, "https://evil.example", null);
        assertThat(jolokia.statusCode()).isEqualTo(403);
        assertThat(jolokia.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(sendFrom("POST", "/api/dead-letters/replay", credentials, "null", "application/json").statusCode()).isEqualTo(403);

        // Hawtio, served from Sluice's own origin, and clients that are no browser, keep working
        String self = "http://localhost:" + port;
        assertThat(sendFrom("GET", "/actuator/jolokia/version", credentials, self, null).statusCode()).isEqualTo(200);
        assertThat(sendFrom("POST", "/api/dead-letters/replay", credentials, self, "application/json").statusCode()).isEqualTo(202);
    }

    private HttpResponse<String> sendFrom(String method, String path, String authorization, String origin, String contentType) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Authorization", authorization)
                    .header("Origin", origin);
            if (contentType != null) {
                request.header("content-type", contentType);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(String method, String path, String authorization) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                    .header("content-type", "application/json")
                    .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
