package io.sluice.whop;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.SluiceApplication;
import io.sluice.support.WhopApiStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A sync cut off by the process dying resumes after the restart from its stored cursor; the CRM gets every record once. */
class WhopSyncRestartTest {

    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final String TOKEN = "restart-sync-token";

    private final WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    @TempDir
    Path dir;

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void aSyncCutOffMidwayResumesFromItsCursorAndAppliesEveryRecordOnce() throws Exception {
        server.start();
        WhopApiStub whop = new WhopApiStub(server);
        serve(whop);
        whop.answer("memberships", 1, aResponse().withStatus(500));
        String[] common = {"server.port=0", "sluice.data-dir=" + dir, "sluice.admin.token=" + TOKEN,
                "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.whop.api-base-url=" + whop.baseUrl(), "sluice.whop.api-key=" + WhopApiStub.API_KEY,
                "sluice.whop.company-id=" + WhopApiStub.COMPANY, "sluice.whop.poll.enabled=false",
                "sluice.whop.poll.check-interval=100", "sluice.whop.api.page-size=2", "sluice.whop.api.max-retries=0",
                "sluice.whop.sync.resume-waiting-after=1h",
                // the same process started again: it resumes what it held at once, not after its lease ran out
                "sluice.inbox.instance-id=sync-restart"};

        String runId;
        try (ConfigurableApplicationContext first = start(common)) {
            runId = startFullSync(port(first));
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> "WAITING".equals(
                    jdbc.queryForObject("SELECT status FROM whop_sync_run WHERE id = ?", String.class, runId)));
            assertThat(jdbc.queryForObject("SELECT page_cursor FROM whop_sync_run WHERE id = ?", String.class, runId))
                    .isEqualTo("memberships-p1");
            // as if the process died while pulling that page
            jdbc.update("UPDATE whop_sync_run SET status = 'RUNNING' WHERE id = ?", runId);
        }

        serve(whop);
        try (ConfigurableApplicationContext second = start(common)) {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(
                    jdbc.queryForObject("SELECT status FROM whop_sync_run WHERE id = ?", String.class, runId)));
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM event_log WHERE status IN ('RECEIVED', 'PROCESSING')", Long.class) == 0);

            server.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/memberships")).withQueryParam("after", absent()));
            server.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/members")).withQueryParam("after", absent()));
            server.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/payments")).withQueryParam("after", absent()));
            server.verify(getRequestedFor(urlPathEqualTo("/api/v1/memberships")).withQueryParam("after", equalTo("memberships-p1")));
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_opportunity", Long.class)).isEqualTo(4);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM event_log WHERE type = 'membership.synced'", Long.class)).isEqualTo(4);
            assertThat(jdbc.queryForList("SELECT attempts FROM event_log", Integer.class)).containsOnly(1);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_note", Long.class)).isEqualTo(1);
        }
    }

    private static void serve(WhopApiStub whop) {
        whop.pages("members", WhopApiStub.list(2, i -> member(i, T)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(1, i -> payment(i, i, "succeeded", T)), 2);
    }

    private static String startFullSync(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/sync/whop"))
                .header("Authorization", "Bearer " + TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"full\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("id").asText();
    }

    private ConfigurableApplicationContext start(String[] common) {
        // command-line arguments, so they win over application.yaml as an operator's would
        return new SpringApplicationBuilder(SluiceApplication.class).run(Stream.concat(Arrays.stream(common), Stream.empty())
                .map(p -> "--" + p).toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
