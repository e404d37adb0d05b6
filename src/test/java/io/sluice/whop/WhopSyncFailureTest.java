package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/** How a sync behaves when Whop limits, fails, times out, answers garbage or refuses the key. */
// a call Whop does not answer within a second times out: the 3 s answer below is one
@TestPropertySource(properties = {"camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class WhopSyncFailureTest extends WhopSyncTestBase {

    private static final String T = "2026-01-20T14:03:11.000Z";

    private void serveSmallBusiness() {
        whop.pages("members", WhopApiStub.list(2, i -> member(i, T)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(1, i -> payment(i, i, "succeeded", T)), 2);
    }

    /** The first request for the first members page answers {@code first}, the next ones the real page. */
    private void firstMembersPageFailsWith(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures.length; i++) {
            String next = "attempt-" + (i + 2);
            WHOP.stubFor(whop.page("members", 0).inScenario("members").whenScenarioStateIs(state)
                    .willReturn(failures[i]).willSetStateTo(next));
            state = next;
        }
        WHOP.stubFor(whop.page("members", 0).inScenario("members").whenScenarioStateIs(state)
                .willReturn(okJson(WhopApiStub.pageBody(List.of(member(1, T), member(2, T)), null))));
    }

    @Test
    void tooManyRequestsWithRetryAfterWaitsAsToldThenCompletes() {
        serveSmallBusiness();
        firstMembersPageFailsWith(aResponse().withStatus(429).withHeader("Retry-After", "1"));

        JsonNode run = awaitSync(startSync("full"), "COMPLETED");

        List<LoggedRequest> calls = WHOP.findAll(getRequestedFor(urlPathEqualTo("/api/v1/members")));
        assertThat(calls).hasSize(2);
        long waited = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertThat(waited).isGreaterThanOrEqualTo(900); // the policy delay alone is 20 ms
        assertThat(run.path("lastError").asText()).contains("HTTP 429").contains("Whop asked to wait 1000 ms");
        assertThat(run.path("records").asLong()).isEqualTo(7);
    }

    @Test
    void tooManyRequestsWithoutRetryAfterBacksOffThenCompletes() {
        serveSmallBusiness();
        firstMembersPageFailsWith(aResponse().withStatus(429), aResponse().withStatus(429));

        JsonNode run = awaitSync(startSync("full"), "COMPLETED");

        WHOP.verify(exactly(3), getRequestedFor(urlPathEqualTo("/api/v1/members")));
        assertThat(run.path("lastError").asText()).contains("HTTP 429").doesNotContain("asked to wait");
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedThenTheSyncCompletes() {
        serveSmallBusiness();
        firstMembersPageFailsWith(aResponse().withStatus(503), aResponse().withFixedDelay(3000).withStatus(200),
                aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"internal\"}}"));

        awaitSync(startSync("full"), "COMPLETED");
        awaitInboxDrained();

        WHOP.verify(exactly(4), getRequestedFor(urlPathEqualTo("/api/v1/members")));
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(4);
        assertThat(count("SELECT COUNT(*) FROM crm_person")).isEqualTo(4);
    }

    @Test
    void aWhopOutageLongerThanTheRetriesLeavesTheRunWaitingAndItResumesFromItsCursor() {
        serveSmallBusiness();
        whop.answer("memberships", 1, aResponse().withStatus(502));

        String id = startSync("full");
        JsonNode waiting = awaitSync(id, "WAITING");
        assertThat(waiting.path("resource").asText()).isEqualTo("memberships");
        assertThat(waiting.path("lastError").asText()).contains("HTTP 502").contains("resumes from its stored cursor");
        WHOP.verify(exactly(4), getRequestedFor(urlPathEqualTo("/api/v1/memberships"))
                .withQueryParam("after", equalTo("memberships-p1")));

        serveSmallBusiness();
        clock.advance(Duration.ofHours(2)); // past sluice.whop.sync.resume-waiting-after
        awaitSync(id, "COMPLETED");
        awaitInboxDrained();

        // the first memberships page was pulled once: the run went on from the stored cursor
        WHOP.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/memberships")).withQueryParam("after",
                com.github.tomakehurst.wiremock.client.WireMock.absent()));
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(4);
    }

    @Test
    void aMalformedPageIsADeadLetterTheSyncGoesOnAndAReplayPullsTheRest() {
        serveSmallBusiness();
        whop.answer("memberships", 1, okJson("{\"data\":\"not a list\"}"));

        String id = startSync("full");
        JsonNode run = awaitSync(id, "COMPLETED_WITH_ERRORS");
        awaitInboxDrained();
        assertThat(run.path("errors").asInt()).isEqualTo(1);
        assertThat(run.path("lastError").asText()).contains("malformed memberships page").contains("'data'");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(2); // the first page's
        assertThat(count("SELECT COUNT(*) FROM crm_note")).isEqualTo(1); // payments were still pulled

        JsonNode deadLetter = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(deadLetter.path("eventType").asText()).isEqualTo("whop.sync.page");
        assertThat(deadLetter.path("error").asText()).contains("malformed Whop memberships page");

        serveSmallBusiness();
        JsonNode replay = adminJson("POST", "/api/dead-letters/" + deadLetter.path("id").asText() + "/replay");
        assertThat(replay.path("status").asText()).isEqualTo("replayed");
        String replayRun = jdbc.queryForObject("SELECT id FROM whop_sync_run WHERE started_by = ?", String.class,
                "dead-letter-" + deadLetter.path("id").asText());
        assertThat(replayRun).isNotEqualTo(id);
        JsonNode second = awaitSync(replayRun, "COMPLETED");
        awaitInboxDrained();

        assertThat(second.path("records").asLong()).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(4);
    }

    @Test
    void aRejectedKeyStopsTheSyncAtOnceWithAClearReason() {
        serveSmallBusiness();
        // memberships are a full run's first resource: the first call is refused, and it is the only call
        whop.answer("memberships", 0, aResponse().withStatus(401).withBody("{\"error\":{\"message\":\"Invalid API key\"}}"));

        JsonNode run = awaitSync(startSync("full"), "FAILED");

        WHOP.verify(exactly(1), anyRequestedFor(anyUrl()));
        assertThat(run.path("lastError").asText())
                .contains("HTTP 401").contains("WHOP_API_KEY").contains("Invalid API key")
                .doesNotContain(WhopApiStub.API_KEY);
        assertThat(run.path("finishedAt").isNull()).isFalse();
        assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();
    }

    @Test
    void theKillSwitchPausesARunAndLiftingItResumesWhereItStopped() {
        serveSmallBusiness();
        assertThat(admin("PUT", "/api/pauses/whop-poll", ADMIN_TOKEN).statusCode()).isIn(200, 201, 204);

        String id = startSync("full");
        awaitSync(id, "PAUSED");
        WHOP.verify(exactly(0), anyRequestedFor(anyUrl()));

        HttpResponse<String> second = postAdmin("/api/sync/whop", "{\"mode\":\"full\"}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(jsonOf(second).path("runningId").asText()).isEqualTo(id);

        assertThat(admin("DELETE", "/api/pauses/whop-poll", ADMIN_TOKEN).statusCode()).isIn(200, 204);
        JsonNode run = awaitSync(id, "COMPLETED");
        assertThat(run.path("records").asLong()).isEqualTo(7);
    }

    @Test
    void anUnknownModeIsABadRequest() {
        HttpResponse<String> response = postAdmin("/api/sync/whop", "{\"mode\":\"everything\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jsonOf(response).path("detail").asText()).contains("'incremental' or 'full'");
    }
}
