package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Sluice with Whop pulls pointed at a WireMock Whop; short retry delays so failure modes run fast. */
@TestPropertySource(properties = "sluice.whop.poll.enabled=false")
public abstract class WhopSyncTestBase extends SluiceTestBase {

    protected static final WireMockServer WHOP = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    protected static final WhopApiStub whop;

    static {
        WHOP.start();
        whop = new WhopApiStub(WHOP);
    }

    @DynamicPropertySource
    static void whopProperties(DynamicPropertyRegistry registry) {
        registry.add("sluice.whop.api-base-url", whop::baseUrl);
        registry.add("sluice.whop.api-key", () -> WhopApiStub.API_KEY);
        registry.add("sluice.whop.company-id", () -> WhopApiStub.COMPANY);
        registry.add("sluice.whop.poll.check-interval", () -> "100");
        registry.add("sluice.whop.api.max-requests-per-second", () -> "200");
        registry.add("sluice.whop.api.page-size", () -> "2");
        registry.add("sluice.whop.sync.product-ids", () -> "prod_H7j8K9l0Z1x2C3,prod_Second");
        registry.add("sluice.whop.api.max-retries", () -> "3");
        registry.add("sluice.whop.api.retry-delay", () -> "20");
        registry.add("sluice.whop.api.max-retry-delay", () -> "100");
        registry.add("sluice.whop.api.max-retry-after", () -> "2s");
        registry.add("sluice.whop.sync.resume-waiting-after", () -> "1h");
    }

    @BeforeEach
    void resetWhop() {
        await().atMost(Duration.ofSeconds(15)).until(() ->
                count("SELECT COUNT(*) FROM whop_sync_run WHERE status = 'RUNNING'") == 0);
        WHOP.resetAll();
    }

    /**
     * The Whop stand-in is one per test JVM: a class must leave it empty, or the next class's context (whose
     * scheduler may pull as soon as it starts, before any of its tests run) pulls what this class stubbed.
     */
    @AfterEach
    void emptyWhop() {
        WHOP.resetAll();
    }

    /** Starts a sync through the admin API; returns its id. */
    protected String startSync(String mode) {
        JsonNode started = jsonOf(postAdmin("/api/sync/whop", "{\"mode\":\"" + mode + "\"}"));
        return started.path("id").asText();
    }

    protected JsonNode awaitSync(String id, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status.equals(adminJson("GET", "/api/sync/whop/" + id).path("status").asText()));
        return adminJson("GET", "/api/sync/whop/" + id);
    }

    protected void awaitInboxDrained() {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE status IN ('RECEIVED', 'PROCESSING')") == 0);
    }

    protected HttpResponse<String> postAdmin(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
