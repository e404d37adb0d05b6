package io.sluice.crm;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.support.Crms;
import io.sluice.support.Webhooks;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HubSpot connector against a WireMock HubSpot, with its failure modes. */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.note-id-property=", "sluice.crm.hubspot.access-token=" + HubSpotConnectorTest.TOKEN,
        "sluice.crm.hubspot.max-requests=1000", "sluice.crm.hubspot.per=1s", "sluice.crm.hubspot.rolling-limit-wait=1s",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class HubSpotConnectorTest extends SluiceTestBase {

    static final String TOKEN = "pat-eu1-test-0123456789";
    private static final WireMockServer HUBSPOT = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final String CONTACT = "51";
    private static final String DEAL = "18234567890";

    static {
        HUBSPOT.start();
    }

    @DynamicPropertySource
    static void hubspot(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.hubspot.base-url", HUBSPOT::baseUrl);
    }

    @Autowired
    private CircuitBreaker breaker;

    @BeforeEach
    void healthyHubSpot() {
        HUBSPOT.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        breaker.reset();
        stubHealthy();
        preflight.runNow(); // the properties are not stubbed here: checked with a warning, the stages are
        HUBSPOT.resetRequests();
    }

    @Autowired
    private CrmPreflight preflight;

    private void stubHealthy() {
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).willReturn(okJson(
                "{\"status\":\"COMPLETE\",\"startedAt\":\"2026-02-01T12:00:00.100Z\",\"completedAt\":\"2026-02-01T12:00:00.400Z\","
                        + "\"results\":[{\"id\":\"" + CONTACT + "\",\"new\":false,\"archived\":false,\"properties\":{\"email\":\"person1@example.com\"}}]}")));
        HUBSPOT.stubFor(authorized(get(urlPathEqualTo("/crm/v3/pipelines/deals"))).willReturn(okJson(
                "{\"results\":[{\"id\":\"default\",\"label\":\"Sales Pipeline\",\"displayOrder\":0,\"stages\":["
                        + "{\"id\":\"appointmentscheduled\",\"label\":\"Appointment Scheduled\"},{\"id\":\"qualifiedtobuy\",\"label\":\"Qualified To Buy\"},"
                        + "{\"id\":\"decisionmakerboughtin\",\"label\":\"Decision Maker Bought-In\"},{\"id\":\"closedwon\",\"label\":\"Closed Won\"},"
                        + "{\"id\":\"closedlost\",\"label\":\"Closed Lost\"}]}]}")));
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert"))).willReturn(okJson(
                "{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"" + DEAL + "\",\"new\":true,\"archived\":false,\"properties\":{}}]}")));
        HUBSPOT.stubFor(authorized(put(urlPathEqualTo("/crm/v4/objects/deals/" + DEAL + "/associations/default/contacts/" + CONTACT)))
                .willReturn(okJson("{\"status\":\"COMPLETE\",\"results\":[]}")));
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/notes"))).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"9001\",\"properties\":{},\"archived\":false}")));
        HUBSPOT.stubFor(authorized(patch(urlPathEqualTo("/crm/v3/objects/notes/9001"))).willReturn(okJson("{\"id\":\"9001\"}")));
    }

    private static MappingBuilder authorized(MappingBuilder request) {
        return request.withHeader("Authorization", equalTo("Bearer " + TOKEN));
    }

    @Test
    void aMembershipUpsertsTheContactAndTheDealInTheResolvedStageAndAssociatesThem() {
        awaitStatus(Crms.sendMembership(port, "msg_hs_1", 1, "active", false, T), "DONE");

        HUBSPOT.verify(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")).withRequestBody(equalToJson(
                "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"person1@example.com\",\"properties\":{\"email\":\"person1@example.com\","
                        + "\"firstname\":\"Person\",\"lastname\":\"Number1\",\"whop_user_id\":\"user_t1\"}}]}")));
        HUBSPOT.verify(postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")).withRequestBody(equalToJson(
                "{\"inputs\":[{\"idProperty\":\"whop_membership_id\",\"id\":\"mem_t1\",\"properties\":{\"whop_membership_id\":\"mem_t1\","
                        + "\"dealname\":\"Acme Pro (mem_t1)\",\"deal_currency_code\":\"USD\",\"pipeline\":\"default\",\"dealstage\":\"closedwon\","
                        + "\"closedate\":\"2026-02-01T00:00:00Z\"}}]}")));
        HUBSPOT.verify(putRequestedFor(urlPathEqualTo("/crm/v4/objects/deals/" + DEAL + "/associations/default/contacts/" + CONTACT)));

        awaitStatus(Crms.sendMembership(port, "msg_hs_2", 2, "canceled", false, T), "DONE");
        // the stages are read once and cached (an earlier test may have filled the cache already)
        HUBSPOT.verify(com.github.tomakehurst.wiremock.client.WireMock.lessThanOrExactly(1),
                getRequestedFor(urlPathEqualTo("/crm/v3/pipelines/deals")));
    }

    @Test
    void aPaymentNoteIsCreatedOnceWithItsAssociationsAndLaterChangesUpdateIt() {
        awaitStatus(Crms.sendMembership(port, "msg_hs_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_hs_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_hs_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");

        HUBSPOT.verify(exactly(1), postRequestedFor(urlPathEqualTo("/crm/v3/objects/notes")));
        HUBSPOT.verify(postRequestedFor(urlPathEqualTo("/crm/v3/objects/notes")).withRequestBody(equalToJson(
                "{\"properties\":{\"hs_note_body\":\"Payment pending: 49 USD for Acme Pro (payment pay_t7, status pending)\","
                        + "\"hs_timestamp\":\"2026-01-01T00:00:03Z\"},\"associations\":["
                        + "{\"to\":{\"id\":\"" + CONTACT + "\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":202}]},"
                        + "{\"to\":{\"id\":\"" + DEAL + "\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":214}]}]}")));
        HUBSPOT.verify(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/notes/9001")).withRequestBody(equalToJson(
                "{\"properties\":{\"hs_note_body\":\"Payment succeeded: 49 USD for Acme Pro (payment pay_t7, status succeeded)\"}}", true, true)));
    }

    @Test
    void theDailyLimitPausesTheCrmTargetAndTheEventWaitsForTheResume() {
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).atPriority(1).willReturn(aResponse()
                .withStatus(429).withHeader("Content-Type", "application/json").withBody("{\"status\":\"error\",\"message\":"
                        + "\"You have reached your daily limit.\",\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"c033cdaa\",\"policyName\":\"DAILY\"}")));

        String id = Crms.sendMembership(port, "msg_hs_daily", 1, "active", false, T);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM pause WHERE target = 'crm'") == 1);

        assertThat(jdbc.queryForObject("SELECT reason FROM pause WHERE target = 'crm'", String.class)).contains("DAILY");
        HUBSPOT.verify(exactly(1), anyRequestedFor(anyUrl()));
        assertThat(eventStatus(id)).isEqualTo("RECEIVED");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();

        io.sluice.support.Stubs.heal(HUBSPOT, this::stubHealthy);
        assertThat(admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isIn(200, 204);
        awaitStatus(id, "DONE");
    }

    @Test
    void aTenSecondlyLimitWaitsTheRetryAfterOrTheWindowThenApplies() {
        failFirstContactCallsWith(rateLimited("1"), rateLimited(null));

        awaitStatus(Crms.sendMembership(port, "msg_hs_10s", 1, "active", false, T), "DONE");

        List<LoggedRequest> calls = HUBSPOT.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
        assertThat(calls).hasSize(3);
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);
        assertThat(calls.get(2).getLoggedDate().getTime() - calls.get(1).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);
    }

    @Test
    void serverErrorsAndTimeoutsAreRetried() {
        failFirstContactCallsWith(aResponse().withStatus(502), aResponse().withFixedDelay(2500).withStatus(200));

        awaitStatus(Crms.sendMembership(port, "msg_hs_5xx", 1, "active", false, T), "DONE");

        HUBSPOT.verify(exactly(3), postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
    }

    @Test
    void aPartialBatchFailureDeadLettersTheEventWithHubSpotsMessage() {
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert"))).atPriority(1).willReturn(aResponse()
                .withStatus(207).withHeader("Content-Type", "application/json").withBody("{\"status\":\"COMPLETE\",\"results\":[],"
                        + "\"numErrors\":1,\"errors\":[{\"status\":\"error\",\"category\":\"VALIDATION_ERROR\","
                        + "\"message\":\"Property values were not valid: whop_membership_id must be unique\"}]}")));

        awaitStatus(Crms.sendMembership(port, "msg_hs_207", 1, "active", false, T), "DEAD");

        HUBSPOT.verify(exactly(1), postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("refused deal.upsert (HTTP 207)").contains("must be unique");
    }

    @Test
    void aStageThePipelineLacksMakesTheEventWaitWithTheStagesThereAre() {
        HUBSPOT.stubFor(authorized(get(urlPathEqualTo("/crm/v3/pipelines/deals"))).atPriority(1).willReturn(okJson(
                "{\"results\":[{\"id\":\"default\",\"label\":\"Sales Pipeline\",\"stages\":[{\"id\":\"1234\",\"label\":\"Custom\"}]}]}")));
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN); // accept the webhook now, write it after the cache expired
        String id = Crms.sendMembership(port, "msg_hs_stage", 1, "active", false, T);
        clock.advance(Duration.ofMinutes(11)); // past sluice.crm.hubspot.pipeline-cache-ttl: the stages are read again
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);

        // the refusal re-runs the check, which finds the pipeline changed: the event waits instead of dead-lettering
        await().atMost(Duration.ofSeconds(10)).until(() -> preflight.last().status() == CrmCheck.Status.PROBLEM);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> "RECEIVED".equals(eventStatus(id)));
        assertThat(preflight.last().reason()).contains("deal stages").contains("closedwon").contains("1234 (Custom)");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        HUBSPOT.verify(exactly(0), postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")));

        io.sluice.support.Stubs.heal(HUBSPOT, this::stubHealthy); // the stages are back in the pipeline
        preflight.runNow();
        awaitStatus(id, "DONE");
    }

    @Test
    void aRejectedTokenDeadLettersAtOnce() {
        HUBSPOT.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")).atPriority(1).willReturn(aResponse()
                .withStatus(401).withBody("{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")));

        awaitStatus(Crms.sendMembership(port, "msg_hs_401", 1, "active", false, T), "DEAD");

        // refused once; the check it re-ran still passed (only the upsert refuses this token), so a dead letter
        HUBSPOT.verify(exactly(1), postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("HTTP 401").contains("HUBSPOT_ACCESS_TOKEN").doesNotContain(TOKEN);
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).atPriority(1)
                .willReturn(okJson("{\"status\":\"COMPLETE\",\"results\":[]}")));

        String id = Crms.sendMembership(port, "msg_hs_bad", 1, "active", false, T);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                HUBSPOT.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).size() >= 4);

        HUBSPOT.verify(exactly(0), postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")));
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("without results[0].id");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero(); // an odd answer heals by waiting
        io.sluice.support.Stubs.heal(HUBSPOT, this::stubHealthy);
        awaitStatus(id, "DONE");
    }

    @Test
    void repeatedFailuresOpenTheBreakerNothingIsDoneAndEveryEventIsAppliedOnceHubSpotAnswers() {
        HUBSPOT.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")).atPriority(1).willReturn(aResponse().withStatus(503)));
        List<String> ids = List.of("msg_hs_cb1", "msg_hs_cb2", "msg_hs_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 20 + i, "active", false, T);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();

        io.sluice.support.Stubs.heal(HUBSPOT, this::stubHealthy);
        ids.forEach(id -> awaitStatus(id, "DONE")); // by themselves once HubSpot answers: no replay
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        HUBSPOT.verify(exactly(3), postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")));
    }

    private static ResponseDefinitionBuilder rateLimited(String retryAfter) {
        ResponseDefinitionBuilder response = aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                        + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}");
        return retryAfter == null ? response : response.withHeader("Retry-After", retryAfter);
    }

    private void failFirstContactCallsWith(ResponseDefinitionBuilder... failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures.length; i++) {
            String next = "attempt-" + (i + 2);
            HUBSPOT.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")).atPriority(1).inScenario("contacts")
                    .whenScenarioStateIs(state).willReturn(failures[i]).willSetStateTo(next));
            state = next;
        }
    }

    @Test
    void theCheckNamesAMissingPropertyANonUniqueKeyAndABadToken() {
        HUBSPOT.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/contacts"))).willReturn(okJson(
                "{\"results\":[{\"name\":\"email\",\"hasUniqueValue\":false},{\"name\":\"firstname\"},{\"name\":\"lastname\"}]}")));
        HUBSPOT.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/deals"))).willReturn(okJson(
                "{\"results\":[{\"name\":\"dealname\"},{\"name\":\"amount\"},{\"name\":\"deal_currency_code\"},{\"name\":\"dealstage\"},"
                        + "{\"name\":\"closedate\"},{\"name\":\"whop_membership_id\",\"hasUniqueValue\":false}]}")));

        CrmCheck check = preflight.runNow();

        assertThat(check.status()).isEqualTo(CrmCheck.Status.PROBLEM);
        assertThat(check.reason()).contains("contacts property whop_user_id missing")
                .contains("deals property whop_membership_id must be created with unique values");

        HUBSPOT.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/contacts"))).atPriority(1).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"error\",\"message\":\"Authentication credentials not found.\","
                        + "\"correlationId\":\"5d3e3a2c-0000-4000-8000-000000000001\",\"category\":\"INVALID_AUTHENTICATION\"}")));
        assertThat(preflight.runNow().reason()).contains("HUBSPOT_ACCESS_TOKEN").doesNotContain(TOKEN);
    }

    @Test
    void aContactGoneFromHubSpotIsFoundAgainByEmailAndANoteGoneIsCreatedAgain() {
        String newer = Webhooks.membershipBody("msg_hs_gone_a", "mem_ga", "gone@example.com", "Gone Away", "active", false, "2026-02-01T00:00:00.000Z");
        Webhooks.sendSigned(port, "msg_hs_gone_a", java.time.Instant.now().getEpochSecond(), newer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        awaitStatus("msg_hs_gone_a", "DONE");
        // the contact is deleted in HubSpot; an older change of another membership of the same person links to it
        HUBSPOT.stubFor(authorized(put(urlPathEqualTo("/crm/v4/objects/deals/" + DEAL + "/associations/default/contacts/" + CONTACT)))
                .atPriority(1).inScenario("gone").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("refound")
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody(
                        "{\"status\":\"error\",\"message\":\"resource not found\",\"correlationId\":\"5d3e3a2c-0000-4000-8000-000000000002\","
                                + "\"category\":\"OBJECT_NOT_FOUND\"}")));
        String older = Webhooks.membershipBody("msg_hs_gone_b", "mem_gb", "gone@example.com", "Gone Away", "active", false, "2026-01-01T00:00:00.000Z");
        Webhooks.sendSigned(port, "msg_hs_gone_b", java.time.Instant.now().getEpochSecond(), older.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        awaitStatus("msg_hs_gone_b", "DONE");
        // HubSpot said "new": false, a merge into a contact that keeps its fields: the newer change's time stays
        assertThat(personSourceTime("gone@example.com")).isEqualTo(java.time.Instant.parse("2026-02-01T00:00:00Z"));
        // the first membership's association, then the refused one and its retry
        HUBSPOT.verify(exactly(3), putRequestedFor(urlPathEqualTo("/crm/v4/objects/deals/" + DEAL + "/associations/default/contacts/" + CONTACT)));
        // found again with the email only: the older change's name never overwrites HubSpot's
        HUBSPOT.verify(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")).withRequestBody(equalToJson(
                "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"gone@example.com\",\"properties\":{\"email\":\"gone@example.com\"}}]}")));

        awaitStatus(Crms.sendMembership(port, "msg_hs_gone_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_hs_gone_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        HUBSPOT.stubFor(authorized(patch(urlPathEqualTo("/crm/v3/objects/notes/9001"))).atPriority(1).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"error\",\"message\":\"resource not found\","
                        + "\"correlationId\":\"5d3e3a2c-0000-4000-8000-000000000003\",\"category\":\"OBJECT_NOT_FOUND\"}")));
        awaitStatus(Crms.sendPayment(port, "msg_hs_gone_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");
        HUBSPOT.verify(exactly(2), postRequestedFor(urlPathEqualTo("/crm/v3/objects/notes")));
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aContactFoundAgainWithoutSayingWhetherItIsNewIsWrittenFullyByItsNextChange() {
        String newer = Webhooks.membershipBody("msg_hs_unsaid_a", "mem_ua", "unsaid@example.com", "Un Said", "active", false,
                "2026-02-01T00:00:00.000Z");
        Webhooks.sendSigned(port, "msg_hs_unsaid_a", java.time.Instant.now().getEpochSecond(), newer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        awaitStatus("msg_hs_unsaid_a", "DONE");
        HUBSPOT.stubFor(authorized(put(urlPathEqualTo("/crm/v4/objects/deals/" + DEAL + "/associations/default/contacts/" + CONTACT)))
                .atPriority(1).inScenario("unsaid").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("refinding")
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody(
                        "{\"status\":\"error\",\"message\":\"resource not found\",\"correlationId\":\"5d3e3a2c-0000-4000-8000-000000000004\","
                                + "\"category\":\"OBJECT_NOT_FOUND\"}")));
        // the upsert that finds it again answers without "new"
        HUBSPOT.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")))
                .atPriority(1).inScenario("unsaid").whenScenarioStateIs("refinding").willSetStateTo("found")
                .willReturn(okJson("{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"" + CONTACT + "\",\"archived\":false,"
                        + "\"properties\":{\"email\":\"unsaid@example.com\"}}]}")));
        String older = Webhooks.membershipBody("msg_hs_unsaid_b", "mem_ub", "unsaid@example.com", "Un Said", "active", false,
                "2026-01-01T00:00:00.000Z");
        Webhooks.sendSigned(port, "msg_hs_unsaid_b", java.time.Instant.now().getEpochSecond(), older.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        awaitStatus("msg_hs_unsaid_b", "DONE");
        // taken as created again: HubSpot may hold only the email now, so the person's next change writes all it carries
        assertThat(personSourceTime("unsaid@example.com")).isNull();
    }

    private java.time.Instant personSourceTime(String email) {
        java.sql.Timestamp at = jdbc.queryForObject("SELECT source_updated_at FROM crm_write_version WHERE provider = 'hubspot' "
                + "AND object_type = 'person' AND object_key = ?", java.sql.Timestamp.class, email);
        return at == null ? null : at.toInstant();
    }

    @Test
    void aOneWordNameAfterATwoWordNameLeavesTheLastNameInHubSpot() {
        for (String[] named : new String[][]{{"msg_hs_dana_1", "Dana Smith", "2026-01-20T00:00:00.000Z"}, {"msg_hs_dana_2", "Dana", "2026-01-21T00:00:00.000Z"}}) {
            String body = Webhooks.membershipBody(named[0], "mem_dana", "dana@example.com", named[1], "active", false, named[2]);
            Webhooks.sendSigned(port, named[0], java.time.Instant.now().getEpochSecond(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            awaitStatus(named[0], "DONE");
        }

        List<LoggedRequest> contacts = HUBSPOT.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
        assertThat(contacts).hasSize(2);
        assertThat(contacts.get(0).getBodyAsString()).contains("\"lastname\":\"Smith\"");
        // HubSpot would clear the last name on "lastname": "": a value Whop does not carry is not sent
        assertThat(contacts.get(1).getBodyAsString()).contains("\"firstname\":\"Dana\"").doesNotContain("lastname");
    }

    @Test
    void aPaymentProcessedBeforeItsMembershipIsAssociatedWithTheDealOnceItIsWritten() {
        awaitStatus(Crms.sendPayment(port, "msg_hs_early_p", 7, 1, "payment.succeeded", "succeeded", T), "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isEqualTo(1);
        HUBSPOT.stubFor(authorized(put(urlPathEqualTo("/crm/v4/objects/notes/9001/associations/default/deals/" + DEAL)))
                .willReturn(okJson("{\"fromObjectTypeId\":\"0-46\",\"fromObjectId\":9001,\"toObjectTypeId\":\"0-3\",\"toObjectId\":" + DEAL
                        + ",\"labels\":[]}")));

        awaitStatus(Crms.sendMembership(port, "msg_hs_late_m", 1, "active", false, T), "DONE");

        HUBSPOT.verify(putRequestedFor(urlPathEqualTo("/crm/v4/objects/notes/9001/associations/default/deals/" + DEAL)));
        assertThat(count("SELECT COUNT(*) FROM crm_pending_note_link")).isZero();
    }
}
