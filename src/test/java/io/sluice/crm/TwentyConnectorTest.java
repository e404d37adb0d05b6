package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.Crms;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.WhopApiStub;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Twenty connector against a WireMock Twenty built from research crm.md §A: the exact requests for people,
 * opportunities, notes and noteTargets, and every failure mode the issue names.
 */
@TestPropertySource(properties = {"sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + TwentyConnectorTest.KEY,
        "sluice.crm.twenty.max-requests=1000", "sluice.crm.twenty.per=1s",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class TwentyConnectorTest extends SluiceTestBase {

    static final String KEY = "twenty_test_key_0123456789";
    private static final WireMockServer TWENTY = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String PERSON_ID = "0b6f5c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e";
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        TWENTY.start();
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.github.resilience4j.circuitbreaker.CircuitBreaker breaker;

    @DynamicPropertySource
    static void twenty(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.twenty.base-url", TWENTY::baseUrl);
    }

    @BeforeEach
    void healthyTwenty() {
        TWENTY.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        breaker.reset(); // a clean slate: an earlier test may have left it open
        stubUpserts();
    }

    private void stubUpserts() {
        TWENTY.stubFor(upsert("people").willReturn(created("{\"data\":{\"people\":[{\"id\":\"" + PERSON_ID
                + "\",\"emails\":{\"primaryEmail\":\"person1@example.com\",\"additionalEmails\":[]},\"deletedAt\":null}]}}")));
        for (String plural : List.of("opportunities", "notes", "noteTargets")) {
            TWENTY.stubFor(upsert(plural).willReturn(created("{\"data\":{\"" + plural + "\":[{\"id\":\"x\"}]}}")));
        }
    }

    private static MappingBuilder upsert(String plural) {
        return post(urlPathEqualTo("/rest/batch/" + plural)).withQueryParam("upsert", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + KEY));
    }

    private static ResponseDefinitionBuilder created(String body) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void aMembershipUpsertsThePersonByEmailThenTheOpportunityByItsDerivedId() {
        awaitStatus(Crms.sendMembership(port, "msg_tw_1", 1, "active", false, T), "DONE");

        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/people"))
                .withQueryParam("upsert", equalTo("true"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("[{\"name\":{\"firstName\":\"Person\",\"lastName\":\"Number1\"},"
                        + "\"emails\":{\"primaryEmail\":\"person1@example.com\"},\"whopUserId\":\"user_t1\"}]")));
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/opportunities"))
                .withRequestBody(equalToJson("[{\"id\":\"" + Uuid5.forObject("opportunity", "mem_t1") + "\","
                        + "\"name\":\"Acme Pro (mem_t1)\",\"stage\":\"CUSTOMER\",\"closeDate\":\"2026-02-01T00:00:00Z\","
                        + "\"pointOfContactId\":\"" + PERSON_ID + "\"}]")));
        assertThat(TWENTY.findAll(postRequestedFor(anyUrl()))).hasSize(2);
        String metrics = admin("GET", "/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("crm_requests_total\\{[^}]*operation=\"person.upsert\",outcome=\"success\",provider=\"twenty\"[^}]*} [1-9]")
                .containsPattern("crm_request_seconds_count\\{[^}]*operation=\"opportunity.upsert\",provider=\"twenty\"[^}]*} [1-9]");
    }

    @Test
    void aPaymentBecomesANoteLinkedToThePersonAndTheMembershipsOpportunity() {
        awaitStatus(Crms.sendMembership(port, "msg_tw_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_tw_p", 7, 1, "payment.succeeded", "succeeded", T), "DONE");

        String noteId = Uuid5.forObject("note", "pay_t7");
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/notes")).withRequestBody(equalToJson(
                "[{\"id\":\"" + noteId + "\",\"title\":\"Payment succeeded: 49 USD\",\"bodyV2\":{\"markdown\":"
                        + "\"Payment succeeded: 49 USD for Acme Pro (payment pay_t7, status succeeded)\"}}]")));
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets")).withRequestBody(equalToJson(
                "[{\"id\":\"" + Uuid5.forObject("noteTarget", "pay_t7:person") + "\",\"noteId\":\"" + noteId
                        + "\",\"targetPersonId\":\"" + PERSON_ID + "\"},"
                        + "{\"id\":\"" + Uuid5.forObject("noteTarget", "pay_t7:opportunity") + "\",\"noteId\":\"" + noteId
                        + "\",\"targetOpportunityId\":\"" + Uuid5.forObject("opportunity", "mem_t1") + "\"}]")));
    }

    @Test
    void anOlderChangeArrivingLaterWritesNothing() {
        awaitStatus(Crms.sendMembership(port, "msg_tw_new", 1, "canceled", false, "2026-02-01T00:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendMembership(port, "msg_tw_old", 1, "active", false, "2026-01-01T00:00:00.000Z"), "STALE");

        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/opportunities"))
                .withRequestBody(equalToJson("[{\"stage\":\"LOST\"}]", true, true)));
    }

    @Test
    void tooManyRequestsWithRetryAfterWaitsAsToldThenApplies() {
        failFirstPeopleCallsWith(aResponse().withStatus(429).withHeader("Retry-After", "1")
                .withBody("{\"statusCode\":429,\"error\":\"RATE_LIMITED\",\"retryAfterSeconds\":1}"));

        awaitStatus(Crms.sendMembership(port, "msg_tw_429", 1, "active", false, T), "DONE");

        List<LoggedRequest> calls = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);
        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE event_id = 'msg_tw_429'", String.class))
                .anyMatch(d -> d.contains("HTTP 429") && d.contains("asked to wait 1 s"));
    }

    @Test
    void tooManyRequestsWithoutRetryAfterServerErrorsAndTimeoutsAreRetried() {
        failFirstPeopleCallsWith(aResponse().withStatus(429).withBody("{\"message\":\"Limit reached (100 tokens per 60000 ms)\"}"),
                aResponse().withStatus(503), aResponse().withFixedDelay(2500).withStatus(201));
        // three failures exceed sluice.processing.max-redeliveries=2 for one event: the replay finishes it
        String id = Crms.sendMembership(port, "msg_tw_retry", 1, "active", false, T);
        awaitStatus(id, "DEAD");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        JsonNode deadLetter = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(deadLetter.path("error").asText()).contains("cannot reach twenty").contains("person.upsert");
        assertThat(adminJson("POST", "/api/dead-letters/" + deadLetter.path("id").asText() + "/replay").path("status").asText())
                .isEqualTo("replayed");
        awaitStatus(id, "DONE");
        assertThat(TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")))).hasSize(4);
    }

    @Test
    void aRejectedKeyDeadLettersAtOnceWithAClearReason() {
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(aResponse().withStatus(401)
                .withBody("{\"statusCode\":401,\"messages\":[\"Token invalid.\"],\"error\":\"UNAUTHENTICATED\"}")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_401", 1, "active", false, T), "DEAD");

        TWENTY.verify(exactly(1), anyRequestedFor(anyUrl()));
        String error = adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText();
        assertThat(error).contains("rejected the credential (HTTP 401)").contains("TWENTY_API_KEY").contains("Token invalid")
                .doesNotContain(KEY);
    }

    @Test
    void aValidationErrorDeadLettersWithTwentysMessage() {
        TWENTY.stubFor(upsert("opportunities").atPriority(1).willReturn(aResponse().withStatus(400)
                .withBody("{\"statusCode\":400,\"messages\":[\"Value LOST is not a valid option for stage\"],\"error\":\"BadRequestException\"}")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_400", 1, "canceled", false, T), "DEAD");

        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("refused opportunity.upsert (HTTP 400)").contains("not a valid option for stage");
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(aResponse().withStatus(201).withBody("<html>gateway</html>")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_bad", 1, "active", false, T), "DEAD");

        TWENTY.verify(exactly(3), postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        TWENTY.verify(exactly(0), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText()).contains("not JSON");
    }

    @Test
    void repeatedFailuresOpenTheBreakerNothingIsMarkedDoneAndReplayCompletesEveryEvent() {
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(aResponse().withStatus(500)));
        List<String> ids = List.of("msg_tw_cb1", "msg_tw_cb2", "msg_tw_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 10 + i, "active", false, T);
        }
        ids.forEach(id -> awaitStatus(id, "DEAD"));
        assertThat(breaker.getName()).isEqualTo("crm-twenty");
        assertThat(adminJson("GET", "/api/status").path("circuitBreakers").findValuesAsText("state")).containsAnyOf("OPEN", "HALF_OPEN");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        assertThat(jdbc.queryForList("SELECT error FROM dead_letter", String.class)).anyMatch(e -> e.contains("CallNotPermitted"));
        if (breaker.getState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN) {
            assertThat(jsonOf(admin("GET", "/actuator/health", null)).path("components").path("crm").path("status").asText())
                    .isEqualTo("DOWN");
        }

        TWENTY.resetAll();
        stubUpserts();
        await().atMost(Duration.ofSeconds(10)).until(() -> breaker.getState() != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
        adminJson("POST", "/api/dead-letters/replay");
        ids.forEach(id -> awaitStatus(id, "DONE"));
        TWENTY.verify(exactly(3), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(jsonOf(admin("GET", "/actuator/health", null)).path("components").path("crm").path("status").asText())
                .isEqualTo("UP");
    }

    @Test
    void thePreviewShowsTheExactRequestsWithoutSendingThem() throws Exception {
        String sample = "{\"id\":\"msg_preview\",\"type\":\"membership.activated\",\"timestamp\":\"" + T + "\",\"data\":"
                + WhopApiStub.membership(5, "trialing", false, T) + "}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/mappings/preview"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(sample)).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode requests = jsonOf(response).path("requests");
        assertThat(requests.get(0).path("path").asText()).isEqualTo("/rest/batch/people?upsert=true");
        assertThat(requests.get(0).path("body").get(0).path("emails").path("primaryEmail").asText()).isEqualTo("person5@example.com");
        assertThat(requests.get(1).path("body").get(0).path("stage").asText()).isEqualTo("SCREENING");
        assertThat(requests.get(1).path("body").get(0).path("id").asText()).isEqualTo(Uuid5.forObject("opportunity", "mem_t5"));
        TWENTY.verify(exactly(0), anyRequestedFor(anyUrl()));
    }

    private void failFirstPeopleCallsWith(ResponseDefinitionBuilder... failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures.length; i++) {
            String next = "attempt-" + (i + 2);
            TWENTY.stubFor(upsert("people").atPriority(1).inScenario("people").whenScenarioStateIs(state)
                    .willReturn(failures[i]).willSetStateTo(next));
            state = next;
        }
    }
}
