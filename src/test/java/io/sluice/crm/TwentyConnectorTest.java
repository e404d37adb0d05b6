package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.Crms;
import io.sluice.support.TwentyRecordings;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Twenty connector against a WireMock Twenty that answers with exchanges recorded from a real Twenty 2.21.0
 * ({@link TwentyRecordings}): the exact requests for people, opportunities, notes and noteTargets, the start-up
 * check, healing a person deleted in Twenty, notes linked whichever arrives first, and the failure modes.
 */
@TestPropertySource(properties = {"sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + TwentyConnectorTest.KEY,
        "sluice.crm.twenty.max-requests=1000", "sluice.crm.twenty.per=1s",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s", "sluice.crm.twenty.rate-limit-wait=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class TwentyConnectorTest extends SluiceTestBase {

    static final String KEY = "twenty_test_key_0123456789";
    private static final WireMockServer TWENTY = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    /** The id in the recorded answer to a people upsert (Twenty 2.21: data.createPeople). */
    private static final String PERSON_ID = TwentyRecordings.personId("batch-people-upsert-create");
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        TWENTY.start();
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.github.resilience4j.circuitbreaker.CircuitBreaker breaker;

    @org.springframework.beans.factory.annotation.Autowired
    private CrmPreflight preflight;

    @DynamicPropertySource
    static void twenty(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.twenty.base-url", TWENTY::baseUrl);
    }

    @BeforeEach
    void healthyTwenty() {
        TWENTY.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        jdbc.update("DELETE FROM crm_pending_note_link");
        breaker.reset(); // a clean slate: an earlier test may have left it open
        stubUpserts();
        stubCheck(TwentyRecordings.preparedWorkspace(), Set.of());
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    private void stubUpserts() {
        TWENTY.stubFor(upsert("people").willReturn(TwentyRecordings.answer("batch-people-upsert-create")));
        TWENTY.stubFor(upsert("opportunities").willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create")));
        TWENTY.stubFor(upsert("notes").willReturn(TwentyRecordings.answer("batch-notes-upsert-create")));
        TWENTY.stubFor(upsert("noteTargets").willReturn(TwentyRecordings.answer("batch-noteTargets-upsert-create")));
    }

    private void stubCheck(Map<String, List<String>> dataModel, Set<String> withoutStages) {
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        TWENTY.stubFor(post(urlPathEqualTo("/metadata")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(TwentyRecordings.metadata(dataModel, withoutStages)));
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
        assertThat(TWENTY.findAll(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/rest/.*")))).hasSize(2);
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
                .anyMatch(d -> d.contains("HTTP 429") && d.contains("waits 1 s before the next attempt"));
    }

    @Test
    void aRecordedTooManyRequestsWithoutRetryAfterWaitsOutTheWindowThenApplies() {
        failFirstPeopleCallsWith(TwentyRecordings.answer("error-429-rate-limit-batch-upsert"));

        awaitStatus(Crms.sendMembership(port, "msg_tw_429_rec", 1, "active", false, T), "DONE");

        List<LoggedRequest> calls = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(calls).hasSize(2);
        // Twenty names no wait: Sluice waits sluice.crm.twenty.rate-limit-wait (2 s here), not its 1 s backoff
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(1900);
        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE event_id = 'msg_tw_429_rec'", String.class))
                .anyMatch(d -> d.contains("HTTP 429") && d.contains("Limit reached") && d.contains("waits 2 s before the next attempt"));
    }

    @Test
    void tooManyRequestsWithoutRetryAfterServerErrorsAndTimeoutsWaitUntilTheEventIsApplied() {
        failFirstPeopleCallsWith(TwentyRecordings.answer("error-429-rate-limit-batch-upsert"),
                aResponse().withStatus(503), aResponse().withFixedDelay(2500).withStatus(201));
        // three failures that waiting heals: the event waits (the 429 holds every call for rate-limit-wait) and is
        // applied by itself, with no dead letter and no replay
        String id = Crms.sendMembership(port, "msg_tw_retry", 1, "active", false, T);
        awaitStatus(id, "DONE");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> calls = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(calls).hasSize(4);
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime())
                .as("the 429's hold (sluice.crm.twenty.rate-limit-wait=2s)").isGreaterThanOrEqualTo(1900);
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("HTTP 429").contains("cannot reach twenty");
    }

    @Test
    void aRejectedKeyDeadLettersAtOnceWithAClearReason() {
        // a key revoked after the start-up check passed
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(TwentyRecordings.answer("error-401-wrong-api-key")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_401", 1, "active", false, T), "DEAD");

        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        String error = adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText();
        assertThat(error).contains("rejected the credential (HTTP 401)").contains("TWENTY_API_KEY").contains("Token invalid")
                .doesNotContain(KEY);
    }

    @Test
    void aValidationErrorDeadLettersWithTwentysMessage() {
        TWENTY.stubFor(upsert("opportunities").atPriority(1).willReturn(TwentyRecordings.answer("error-400-batch-opportunities-bad-stage")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_400", 1, "canceled", false, T), "DEAD");

        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("refused opportunity.upsert (HTTP 400)").contains("Invalid value \\\"CHURNED\\\" for field \\\"stage\\\"");
    }

    @Test
    void twoChangesOfOnePersonWaitForEachOtherWithoutHoldingADatabaseLockThroughTwentysAnswer() {
        // Twenty takes 0.8 s a call, so one write lasts longer than H2's lock timeout (1 s), which a second write of
        // the person waiting for a row lock held across the calls ran into
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(TwentyRecordings.answer("batch-people-upsert-create").withFixedDelay(800)));
        TWENTY.stubFor(upsert("opportunities").atPriority(1)
                .willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create").withFixedDelay(800)));
        long now = clock.instant().getEpochSecond();
        for (String id : List.of("msg_tw_same1", "msg_tw_same2")) {
            byte[] body = io.sluice.support.Webhooks.membershipBody(id, "mem_" + id, "same@example.com", "Sam E", "active", false, T)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(io.sluice.support.Webhooks.sendSigned(port, id, now, body).statusCode()).isEqualTo(202);
        }
        awaitStatus("msg_tw_same1", "DONE");
        awaitStatus("msg_tw_same2", "DONE");
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE detail LIKE 'attempt failed%' AND event_id LIKE 'msg_tw_same%'"))
                .as("attempts that failed for a lock").isZero();
        assertThat(count("SELECT COUNT(*) FROM crm_write_version WHERE locked_by IS NOT NULL")).as("leases left behind").isZero();
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        var gateway = TWENTY.stubFor(upsert("people").atPriority(1).willReturn(aResponse().withStatus(201).withBody("<html>gateway</html>")));

        String id = Crms.sendMembership(port, "msg_tw_bad", 1, "active", false, T);
        await().atMost(Duration.ofSeconds(15)).until(() -> TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people"))).size() >= 4);

        TWENTY.verify(exactly(0), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("not JSON");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero(); // a gateway's page heals by waiting
        // the upserts answer at the priority below; no moment without an answer (a 404 would be a refusal)
        TWENTY.removeStub(gateway);
        awaitStatus(id, "DONE");
    }

    @Test
    void repeatedFailuresOpenTheBreakerNothingIsMarkedDoneAndEveryEventIsAppliedOnceTwentyAnswers() {
        var outage = TWENTY.stubFor(upsert("people").atPriority(1).willReturn(aResponse().withStatus(500)));
        List<String> ids = List.of("msg_tw_cb1", "msg_tw_cb2", "msg_tw_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 10 + i, "active", false, T);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> breaker.getState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
        assertThat(breaker.getName()).isEqualTo("crm-twenty");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        if (breaker.getState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN) {
            assertThat(jsonOf(admin("GET", "/actuator/health", null)).path("components").path("crm").path("status").asText())
                    .isEqualTo("DOWN");
        }

        // Twenty answers again, with no moment in between in which the stand-in knows no answer (a 404 is a refusal)
        TWENTY.resetRequests();
        TWENTY.removeStub(outage);
        ids.forEach(id -> awaitStatus(id, "DONE")); // by themselves once Twenty answers: no replay
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        TWENTY.verify(exactly(3), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
        assertThat(jsonOf(admin("GET", "/actuator/health", null)).path("components").path("crm").path("status").asText())
                .isEqualTo("UP");
    }

    @Test
    void thePreviewShowsTheExactRequestsWithoutSendingThem() throws Exception {
        TWENTY.resetRequests(); // forget the start-up check's calls
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

    @Test
    void aWrongKeyShowsInHealthBeforeAnyEventIsTakenAndTheEventWaitsInsteadOfDeadLettering() {
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).atPriority(1).willReturn(TwentyRecordings.answer("error-401-wrong-api-key")));
        preflight.runNow();

        JsonNode crm = jsonOf(admin("GET", "/actuator/health", ADMIN_TOKEN)).path("components").path("crm");
        assertThat(crm.path("status").asText()).isEqualTo("DOWN");
        assertThat(crm.path("details").path("reason").asText()).contains("TWENTY_API_KEY").contains("Token invalid").doesNotContain(KEY);
        String id = Crms.sendMembership(port, "msg_tw_key", 1, "active", false, T);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> "RECEIVED".equals(eventStatus(id)));
        TWENTY.verify(exactly(0), postRequestedFor(urlPathEqualTo("/rest/batch/people")));

        TWENTY.resetAll(); // the operator fixed the key
        stubUpserts();
        stubCheck(TwentyRecordings.preparedWorkspace(), Set.of());
        preflight.runNow();
        awaitStatus(id, "DONE");
        assertThat(jsonOf(admin("GET", "/actuator/health", null)).path("components").path("crm").path("status").asText()).isEqualTo("UP");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aMissingCustomFieldOrStageOptionIsNamedInHealth() {
        Map<String, List<String>> noCustomField = new HashMap<>(TwentyRecordings.preparedWorkspace());
        noCustomField.put("person", List.of("id", "name", "emails"));
        stubCheck(noCustomField, Set.of("AT_RISK", "LOST"));

        CrmCheck check = preflight.runNow();

        assertThat(check.status()).isEqualTo(CrmCheck.Status.PROBLEM);
        JsonNode crm = jsonOf(admin("GET", "/actuator/health", ADMIN_TOKEN)).path("components").path("crm");
        assertThat(crm.path("status").asText()).isEqualTo("DOWN");
        assertThat(crm.path("details").path("reason").asText()).contains("field whopUserId missing on person")
                .contains("stage options AT_RISK, LOST missing on Opportunities");
    }

    @Test
    void aPersonDeletedInTwentyIsFoundAgainByEmailAndTheNoteLinkedOnce() {
        awaitStatus(Crms.sendMembership(port, "msg_tw_del_m", 1, "active", false, "2026-01-20T14:03:11.000Z"), "DONE");
        // the person is hard-deleted in Twenty: a noteTarget to the remembered id is a foreign-key violation
        TWENTY.stubFor(upsert("noteTargets").atPriority(1).withRequestBody(containing(PERSON_ID))
                .willReturn(TwentyRecordings.answer("error-fk-batch-noteTargets-hard-deleted-person")));
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people/" + PERSON_ID)).willReturn(TwentyRecordings.answer("people-get-one-after-hard-delete")));
        String revived = TwentyRecordings.personId("batch-people-upsert-after-soft-delete");
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(TwentyRecordings.answer("batch-people-upsert-after-soft-delete")));

        // an older payment: its person fields do not win, so the remembered person id is what it links to
        awaitStatus(Crms.sendPayment(port, "msg_tw_del_p", 7, 1, "payment.succeeded", "succeeded", "2026-01-10T00:00:00.000Z"), "DONE");

        List<LoggedRequest> targets = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets")));
        assertThat(targets).hasSize(2);
        assertThat(targets.get(1).getBodyAsString()).contains(revived).doesNotContain(PERSON_ID);
        // written again with what this change knows; its time is forgotten, so the next change writes the person fully
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/people"))
                .withRequestBody(equalToJson("[{\"emails\":{\"primaryEmail\":\"person1@example.com\"},\"whopUserId\":\"user_t1\"}]")));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_write_version WHERE object_type = 'person' AND source_updated_at IS NULL",
                Integer.class)).isEqualTo(1);
        assertThat(admin("GET", "/actuator/prometheus", null).body()).containsPattern("crm_records_refound_total\\{[^}]*provider=\"twenty\"[^}]*} 1");
        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/notes")));
        assertThat(jdbc.queryForObject("SELECT remote_id FROM crm_write_version WHERE object_type = 'person'", String.class)).isEqualTo(revived);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aPaymentProcessedBeforeItsMembershipEndsLinkedToTheOpportunityToo() {
        String noteId = Uuid5.forObject("note", "pay_t8");
        String opportunityId = Uuid5.forObject("opportunity", "mem_t2");
        awaitStatus(Crms.sendPayment(port, "msg_tw_early_p", 8, 2, "payment.succeeded", "succeeded", T), "DONE");
        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets")).withRequestBody(containing("targetPersonId")));
        TWENTY.verify(exactly(0), postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets")).withRequestBody(containing("targetOpportunityId")));
        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isEqualTo(1);

        awaitStatus(Crms.sendMembership(port, "msg_tw_late_m", 2, "active", false, T), "DONE");

        TWENTY.verify(postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets")).withRequestBody(equalToJson(
                "[{\"id\":\"" + Uuid5.forObject("noteTarget", "pay_t8:opportunity") + "\",\"noteId\":\"" + noteId
                        + "\",\"targetOpportunityId\":\"" + opportunityId + "\"}]")));
        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isZero();
    }

    @Test
    void aWaitingNoteDeletedInTwentyDoesNotHoldUpItsMembership() {
        awaitStatus(Crms.sendPayment(port, "msg_tw_gone_p", 9, 3, "payment.succeeded", "succeeded", T), "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isEqualTo(1);
        // the note is hard-deleted in Twenty (trash emptied): linking it is a foreign-key violation
        TWENTY.stubFor(upsert("noteTargets").atPriority(1).withRequestBody(containing("targetOpportunityId"))
                .willReturn(TwentyRecordings.answer("error-fk-batch-noteTargets-never-existed-person")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_gone_m", 3, "active", false, T), "DONE");

        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isZero();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        TWENTY.verify(exactly(1), postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")));
    }

    @Test
    void aKeyRevokedWhileEventsFlowMakesThemWaitInsteadOfDeadLettering() {
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(TwentyRecordings.answer("error-401-wrong-api-key")));
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).atPriority(1).willReturn(TwentyRecordings.answer("error-401-wrong-api-key")));

        String id = Crms.sendMembership(port, "msg_tw_revoked", 1, "active", false, T);

        await().atMost(Duration.ofSeconds(10)).until(() -> preflight.last().status() == CrmCheck.Status.PROBLEM);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> "RECEIVED".equals(eventStatus(id)));
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE event_id = 'msg_tw_revoked'", String.class))
                .anyMatch(d -> d.contains("waits for the CRM check to pass") && d.contains("TWENTY_API_KEY"));

        TWENTY.resetAll(); // a new key
        stubUpserts();
        stubCheck(TwentyRecordings.preparedWorkspace(), Set.of());
        assertThat(jsonOf(admin("POST", "/api/crm/check", ADMIN_TOKEN)).path("status").asText()).isEqualTo("OK");
        awaitStatus(id, "DONE");
    }

    @Test
    void aDuplicateEmailRefusalIsRetriedAndThenNamesTheMinimumVersion() {
        TWENTY.stubFor(upsert("people").atPriority(1).willReturn(TwentyRecordings.answer("error-400-people-create-one-duplicate-email")));

        awaitStatus(Crms.sendMembership(port, "msg_tw_old_release", 1, "active", false, T), "DEAD");

        // another writer may have created the email at that moment: retried (sluice.processing.max-redeliveries=2 here)
        TWENTY.verify(exactly(3), postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("no REST upsert").contains("2.21");
    }

    @Test
    void aOneWordNameAfterATwoWordNameLeavesTheLastNameInTwenty() {
        sendNamed("msg_tw_dana_1", "Dana Smith", "2026-01-20T00:00:00.000Z");
        sendNamed("msg_tw_dana_2", "Dana", "2026-01-21T00:00:00.000Z");

        List<LoggedRequest> people = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(people).hasSize(2);
        assertThat(people.get(1).getBodyAsString()).contains("\"firstName\":\"Dana\"").doesNotContain("lastName");
    }

    private void sendNamed(String id, String name, String updatedAt) {
        String body = io.sluice.support.Webhooks.membershipBody(id, "mem_dana", "dana@example.com", name, "active", false, updatedAt);
        io.sluice.support.Webhooks.sendSigned(port, id, java.time.Instant.now().getEpochSecond(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        awaitStatus(id, "DONE");
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
