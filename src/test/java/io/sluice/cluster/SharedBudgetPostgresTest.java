package io.sluice.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.support.RollingWindow;
import io.sluice.support.SharedPostgres;
import io.sluice.support.SluiceProcess;
import io.sluice.support.TestFork;
import io.sluice.support.TwentyRecordings;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Sluice processes on one PostgreSQL writing to one Twenty whose budget is {@value #BUDGET} calls a second: Twenty
 * counts every call it receives, whichever replica sent it, so the two must spend one budget between them, and a 429
 * that one of them is answered holds the other's calls too. The same for Whop, when each replica pulls a run of its
 * own at once.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class SharedBudgetPostgresTest {

    private static final int BUDGET = 3;
    private static final long WINDOW_MILLIS = 1000;
    private static final long RETRY_AFTER_MILLIS = 3000;
    /**
     * How much later than its arrival the stand-in may log a call on a loaded machine: the exact spacing of permits is
     * checked by {@code SharedRequestBudgetPostgresTest}; here a budget spent twice (two replicas each spending their
     * own) would put twice as many calls into a window.
     */
    private static final long LOGGING_JITTER_MILLIS = 25;
    /** Calls a replica had its permit for before the 429's hold was stored may still arrive just after it. */
    private static final long IN_FLIGHT_GRACE_MILLIS = 300;
    private static final int EVENTS_PER_REPLICA = 12;
    private static final int WHOP_BUDGET = 4;
    /** Pages of memberships and of payments, one record each: a full run pulls both (and members), an incremental payments. */
    private static final int WHOP_PAGES = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "budget-test-token-0123456789";
    private static final String KEY = "twenty-budget-key";
    private static final String SCHEMA = TestFork.schema("sluice_budget");

    private final WireMockServer twenty = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .extensions(new TwentyRecordings.PeopleEcho()));

    @TempDir
    Path dir;

    @BeforeEach
    void twentyAndAnEmptySchema() throws Exception {
        twenty.start();
        // the fourth people write is answered 429 with Retry-After; the others are written
        String scenario = "one rate-limit answer";
        for (int call = 1; call <= 4; call++) {
            twenty.stubFor(post(urlPathEqualTo("/rest/batch/people")).withQueryParam("upsert", equalTo("true"))
                    .inScenario(scenario).whenScenarioStateIs(call == 1 ? STARTED : "call " + call)
                    .willSetStateTo(call == 4 ? "limited" : "call " + (call + 1))
                    .willReturn(call == 4
                            ? aResponse().withStatus(429).withHeader("Retry-After", String.valueOf(RETRY_AFTER_MILLIS / 1000))
                            .withBody("{\"statusCode\":429,\"error\":\"Too Many Requests\"}")
                            : aResponse().withTransformers(TwentyRecordings.PeopleEcho.NAME)));
        }
        twenty.stubFor(post(urlPathEqualTo("/rest/batch/people")).withQueryParam("upsert", equalTo("true"))
                .inScenario(scenario).whenScenarioStateIs("limited")
                .willReturn(aResponse().withTransformers(TwentyRecordings.PeopleEcho.NAME)));
        twenty.stubFor(post(urlPathEqualTo("/rest/batch/opportunities")).withQueryParam("upsert", equalTo("true"))
                .willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create")));
        twenty.stubFor(get(urlPathEqualTo("/rest/people")).willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        twenty.stubFor(post(urlPathEqualTo("/metadata")).willReturn(TwentyRecordings.metadata(TwentyRecordings.preparedWorkspace(), Set.of())));
        SharedPostgres.dropSchema(SCHEMA);
    }

    @AfterEach
    void stopTwenty() {
        twenty.stop();
    }

    @Test
    void twoReplicasSpendOneBudgetAndHonourOneAnothersRateLimitAnswer() throws Exception {
        try (SluiceProcess first = replica("a"); SluiceProcess second = replica("b")) {
            first.start();
            second.start();
            deliver(first, "a");
            deliver(second, "b");

            await().atMost(Duration.ofSeconds(120)).until(() -> {
                JsonNode queue = status(first).path("queue");
                return queue.path("pending").asLong() + queue.path("waiting").asLong() + queue.path("processing").asLong() == 0;
            });
            assertThat(status(first).path("deadLetters").asLong()).isZero();
            for (String replica : List.of("a", "b")) {
                for (int i = 0; i < EVENTS_PER_REPLICA; i++) {
                    assertThat(first.getJson("/api/events/msg_budget_" + replica + i, TOKEN).path("status").asText())
                            .as("msg_budget_" + replica + i).isEqualTo("DONE");
                }
            }

            List<ServeEvent> calls = new ArrayList<>(twenty.getAllServeEvents());
            calls.sort(Comparator.comparing(c -> c.getRequest().getLoggedDate()));
            assertThat(calls.size()).as("enough calls to spend the budget many times over").isGreaterThan(4 * BUDGET);
            for (int i = 0; i < calls.size(); i++) {
                long from = calls.get(i).getRequest().getLoggedDate().getTime();
                List<String> inWindow = calls.stream().filter(c -> {
                    long t = c.getRequest().getLoggedDate().getTime();
                    return t >= from && t < from + WINDOW_MILLIS - LOGGING_JITTER_MILLIS;
                }).map(c -> (c.getRequest().getLoggedDate().getTime() - from) + " ms " + c.getRequest().getMethod() + " "
                        + c.getRequest().getUrl() + " " + c.getResponse().getStatus()).toList();
                assertThat(inWindow).as("calls Twenty received in the second from call %d", i).hasSizeLessThanOrEqualTo(BUDGET);
            }

            long limitedAt = calls.stream().filter(c -> c.getResponse().getStatus() == 429).findFirst()
                    .orElseThrow(() -> new AssertionError("Twenty never answered 429")).getRequest().getLoggedDate().getTime();
            assertThat(calls.stream().map(c -> c.getRequest().getLoggedDate().getTime())
                    .filter(t -> t >= limitedAt + IN_FLIGHT_GRACE_MILLIS && t < limitedAt + RETRY_AFTER_MILLIS))
                    .as("no replica calls Twenty while it asked to wait").isEmpty();
        }
    }

    @Test
    void twoReplicasPullingWhopAtOnceSpendOneWhopBudget() throws Exception {
        RollingWindow limit = new RollingWindow();
        WireMockServer whopServer = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(limit));
        whopServer.start();
        try {
            WhopApiStub whop = new WhopApiStub(whopServer);
            String updated = "2026-03-01T10:00:00.000Z";
            whop.pages("memberships", WhopApiStub.list(WHOP_PAGES, i -> WhopApiStub.membership(i, "active", false, updated)), 1);
            whop.pages("members", List.of(), 1);
            whop.pages("payments", WhopApiStub.list(WHOP_PAGES, i -> WhopApiStub.payment(i, i, "succeeded", updated)), 1);
            // Whop counts every call, whoever sent it; one too many is answered 429
            limit.enforce(WHOP_BUDGET, Duration.ofSeconds(1), aResponse().withStatus(429).withHeader("Retry-After", "1")
                    .withBody("{\"error\":{\"type\":\"rate_limit_exceeded\"}}"));
            List<String> pulling = List.of("sluice.whop.api-base-url=" + whop.baseUrl(), "sluice.whop.api-key=" + WhopApiStub.API_KEY,
                    "sluice.whop.company-id=" + WhopApiStub.COMPANY, "sluice.whop.api-version-date=" + WhopApiStub.VERSION,
                    "sluice.whop.poll.enabled=false", "sluice.whop.api.page-size=1",
                    "sluice.whop.api.max-requests-per-second=" + WHOP_BUDGET);
            try (SluiceProcess first = replica("a", pulling); SluiceProcess second = replica("b", pulling)) {
                first.start();
                second.start();
                HttpResponse<String> full = first.postJson("/api/sync/whop", TOKEN, "{\"mode\":\"full\"}");
                HttpResponse<String> incremental = second.postJson("/api/sync/whop", TOKEN, "{\"mode\":\"incremental\"}");
                assertThat(full.statusCode()).as(full.body()).isEqualTo(202);
                assertThat(incremental.statusCode()).as(incremental.body()).isEqualTo(202);
                for (HttpResponse<String> started : List.of(full, incremental)) {
                    String id = JSON.readTree(started.body()).path("id").asText();
                    await().atMost(Duration.ofSeconds(120)).until(() ->
                            first.getJson("/api/sync/whop/" + id, TOKEN).path("status").asText().startsWith("COMPLETED"));
                    assertThat(first.getJson("/api/sync/whop/" + id, TOKEN).path("status").asText()).isEqualTo("COMPLETED");
                }
            }
            assertThat(whopServer.getAllServeEvents()).as("both runs' pages").hasSizeGreaterThanOrEqualTo(3 * WHOP_PAGES + 1);
            assertThat(limit.tooManyAnswers()).as("calls Whop refused as one too many").isZero();
            assertThat(limit.busiestWindow()).as("the most calls Whop received in a second").isLessThanOrEqualTo(WHOP_BUDGET);
        } finally {
            whopServer.stop();
        }
    }

    private void deliver(SluiceProcess replica, String name) throws Exception {
        WhopSender whop = new WhopSender(replica.port(), Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int i = 0; i < EVENTS_PER_REPLICA; i++) {
            String id = "msg_budget_" + name + i;
            assertThat(whop.deliver(id, WhopSender.activation(id, "mem_budget_" + name + i), Duration.ofSeconds(30))).isIn(200, 202);
        }
    }

    private SluiceProcess replica(String name) throws Exception {
        return replica(name, List.of());
    }

    private SluiceProcess replica(String name, List<String> more) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        List<String> arguments = new ArrayList<>(List.of("sluice.data-dir=" + data, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=" + TOKEN, "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.inbox.consumers=2", "sluice.ai.enrich-on=", "logging.level.io.sluice=WARN",
                "sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + KEY, "sluice.crm.twenty.base-url=" + twenty.baseUrl(),
                "sluice.crm.twenty.max-requests=" + BUDGET, "sluice.crm.twenty.per=" + WINDOW_MILLIS + "ms"));
        arguments.addAll(SharedPostgres.replicaSettings(SCHEMA));
        arguments.addAll(more);
        return new SluiceProcess(dir.resolve(name + ".log"), arguments);
    }

    private static JsonNode status(SluiceProcess sluice) throws Exception {
        return sluice.getJson("/api/status", TOKEN);
    }
}
