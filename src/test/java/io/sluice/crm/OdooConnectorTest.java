package io.sluice.crm;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.Crms;
import io.sluice.support.OdooRecordings;
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
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.lessThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Odoo connector over JSON-2 against a WireMock Odoo that answers with exchanges recorded from a real Odoo 19
 * ({@link OdooRecordings}): finding and writing contacts and leads, lost and reopened leads, records deleted in Odoo,
 * the start-up check and every recorded error shape.
 */
@TestPropertySource(properties = {"sluice.crm.provider=odoo", "sluice.crm.odoo.api-key=" + OdooConnectorTest.KEY,
        "sluice.crm.odoo.db=acme", "sluice.crm.odoo.max-requests=1000", "sluice.crm.odoo.per=1s",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class OdooConnectorTest extends SluiceTestBase {

    static final String KEY = "6578616d706c65-odoo-key";
    private static final WireMockServer ODOO = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .extensions(new OdooRecordings.PartnerSearch()));
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        ODOO.start();
    }

    @DynamicPropertySource
    static void odoo(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.odoo.url", ODOO::baseUrl);
    }

    @Autowired
    private CircuitBreaker breaker;

    @Autowired
    private CrmPreflight preflight;

    @BeforeEach
    void healthyOdoo() {
        ODOO.resetAll();
        OdooRecordings.PartnerSearch.clear();
        jdbc.update("DELETE FROM crm_write_version");
        breaker.reset();
        stubHealthy();
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
        ODOO.resetRequests(); // the check's calls
    }

    private void stubHealthy() {
        ODOO.stubFor(call("res.partner", "search_read").willReturn(OdooRecordings.answer("json2-res.partner-search_read-by-email-none")
                .withTransformers(OdooRecordings.PartnerSearch.NAME)));
        ODOO.stubFor(call("res.partner", "create").willReturn(OdooRecordings.answer("json2-res.partner-create")));
        ODOO.stubFor(call("res.partner", "write").willReturn(OdooRecordings.answer("json2-res.partner-write")));
        ODOO.stubFor(call("res.partner", "fields_get").willReturn(OdooRecordings.fieldsGet(OdooRecordings.PARTNER_FIELDS)));
        ODOO.stubFor(call("crm.stage", "search_read").willReturn(OdooRecordings.answer("json2-crm.stage-search_read")));
        ODOO.stubFor(call("crm.lead", "search_read").willReturn(OdooRecordings.answer("json2-crm.lead-search_read-by-key-active_test-false")));
        ODOO.stubFor(call("crm.lead", "create").willReturn(OdooRecordings.answer("json2-crm.lead-create")));
        ODOO.stubFor(call("crm.lead", "write").willReturn(OdooRecordings.answer("json2-crm.lead-write-stage")));
        ODOO.stubFor(call("crm.lead", "fields_get").willReturn(OdooRecordings.fieldsGet(OdooRecordings.LEAD_FIELDS)));
        ODOO.stubFor(call("crm.lead", "message_post").willReturn(OdooRecordings.answer("json2-crm.lead-message_post-note")));
        ODOO.stubFor(call("mail.message", "write").willReturn(OdooRecordings.answer("json2-mail.message-write-edit-note")));
    }

    private static MappingBuilder call(String model, String method) {
        return post(urlPathEqualTo("/json/2/" + model + "/" + method)).withHeader("Authorization", equalTo("bearer " + KEY))
                .withHeader("X-Odoo-Database", equalTo("acme"));
    }

    @Test
    void aMembershipFindsOrCreatesThePartnerAndTheLeadInTheNamedStage() {
        awaitStatus(Crms.sendMembership(port, "msg_od_1", 1, "active", false, T), "DONE");

        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/search_read")).withRequestBody(equalToJson(
                "{\"domain\":[[\"email\",\"=ilike\",\"person1@example.com\"]],\"fields\":[\"id\",\"email\"],\"limit\":20,\"context\":{\"active_test\":false}}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")).withRequestBody(equalToJson(
                "{\"vals_list\":[{\"name\":\"Person Number1\",\"x_whop_user_id\":\"user_t1\",\"email\":\"person1@example.com\"}]}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/search_read")).withRequestBody(equalToJson(
                "{\"domain\":[[\"x_whop_membership_id\",\"=\",\"mem_t1\"]],\"fields\":[\"id\"],\"limit\":1,\"context\":{\"active_test\":false}}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")).withRequestBody(equalToJson(
                "{\"vals_list\":[{\"name\":\"Acme Pro (mem_t1)\",\"date_deadline\":\"2026-02-01\",\"x_whop_membership_id\":\"mem_t1\","
                        + "\"type\":\"opportunity\",\"partner_id\":8,\"email_from\":\"person1@example.com\",\"stage_id\":4,\"active\":true,"
                        + "\"lost_reason_id\":false}]}")));

        // a later change writes the remembered records: no search, no create
        awaitStatus(Crms.sendMembership(port, "msg_od_2", 1, "canceled", false, "2026-02-01T00:00:00.000Z"), "DONE");
        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/search_read")));
        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/write")).withRequestBody(equalToJson(
                "{\"ids\":[8],\"vals\":{\"active\":false,\"probability\":0}}", true, true)));
    }

    @Test
    void aPartnerThatExistsIsWrittenNotDuplicated() {
        OdooRecordings.PartnerSearch.holds(7, "Person1@Example.com");

        awaitStatus(Crms.sendMembership(port, "msg_od_found", 1, "active", false, T), "DONE");

        ODOO.verify(exactly(0), postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/write")).withRequestBody(containing("\"ids\":[7]")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")).withRequestBody(containing("\"partner_id\":7")));
    }

    @Test
    void aPaymentIsAnInternalNoteOnTheLeadEditedInPlaceWhenItChanges() {
        awaitStatus(Crms.sendMembership(port, "msg_od_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_od_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_od_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");

        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/message_post")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/message_post")).withRequestBody(equalToJson(
                "{\"ids\":[8],\"body\":\"Payment pending: 49 USD for Acme Pro (payment pay_t7, status pending)\","
                        + "\"message_type\":\"comment\",\"subtype_xmlid\":\"mail.mt_note\"}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/mail.message/write")).withRequestBody(equalToJson(
                "{\"ids\":[85],\"vals\":{\"body\":\"Payment succeeded: 49 USD for Acme Pro (payment pay_t7, status succeeded)\"}}")));
    }

    @Test
    void aKeyThatExpiresAfterTheCheckMakesEventsWaitNamingTheKey() {
        ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).willReturn(OdooRecordings.answer("json2-error-wrong-api-key-401")));

        String id = Crms.sendMembership(port, "msg_od_401", 1, "active", false, T);

        await().atMost(Duration.ofSeconds(10)).until(() -> preflight.last().status() == CrmCheck.Status.PROBLEM);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> "RECEIVED".equals(eventStatus(id)));
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(preflight.last().reason()).contains("Unauthorized").contains("Invalid apikey").contains("ODOO_API_KEY")
                .doesNotContain(KEY).doesNotContain("Traceback");
        io.sluice.support.Stubs.heal(ODOO, this::stubHealthy); // a new key
        preflight.runNow();
        awaitStatus(id, "DONE");
    }

    @Test
    void aProxysTooManyRequestsServerErrorsAndTimeoutsAreRetriedUntilTheEventIsApplied() {
        String state = Scenario.STARTED;
        List<ResponseDefinitionBuilder> failures = List.of(aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withStatus(502), aResponse().withFixedDelay(2500).withStatus(200));
        for (int i = 0; i < failures.size(); i++) {
            ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).inScenario("odoo")
                    .whenScenarioStateIs(state).willReturn(failures.get(i)).willSetStateTo("attempt-" + (i + 2)));
            state = "attempt-" + (i + 2);
        }
        String id = Crms.sendMembership(port, "msg_od_retry", 1, "active", false, T);
        awaitStatus(id, "DONE"); // three failures that waiting heals: no dead letter, no replay
        List<LoggedRequest> calls = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/res.partner/search_read")));
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("HTTP 429").contains("HTTP 502");
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        ODOO.stubFor(call("res.partner", "create").atPriority(1).willReturn(aResponse().withStatus(200).withBody("<html>proxy</html>")));

        String id = Crms.sendMembership(port, "msg_od_bad", 1, "active", false, T);
        await().atMost(Duration.ofSeconds(15)).until(() -> ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/res.partner/create"))).size() >= 4);
        ODOO.verify(exactly(0), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(eventStatus(id)).isIn("WAITING", "PROCESSING");
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("not JSON");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();

        io.sluice.support.Stubs.heal(ODOO, this::stubHealthy);
        awaitStatus(id, "DONE");
    }

    @Test
    void repeatedFailuresOpenTheBreakerNothingIsDoneAndEveryEventIsAppliedOnceOdooAnswersAgain() {
        ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).willReturn(aResponse().withStatus(500)));
        List<String> ids = List.of("msg_od_cb1", "msg_od_cb2", "msg_od_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 40 + i, "active", false, T);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        io.sluice.support.Stubs.heal(ODOO, this::stubHealthy);
        ids.forEach(id -> awaitStatus(id, "DONE"));
        ODOO.verify(exactly(3), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void anUnderscoreOrPercentInAnEmailNeverMatchesAnotherPersonsContact() {
        OdooRecordings.PartnerSearch.holds(16, "bobzx@example.com");
        OdooRecordings.PartnerSearch.holds(17, "annaxb@example.com");

        sendMembership("msg_od_bob", "mem_bob", "bob_x@example.com", "Bob Underscore");
        sendMembership("msg_od_pct", "mem_pct", "ann%b@example.com", "Ann Percent");

        ODOO.verify(exactly(0), postRequestedFor(urlPathEqualTo("/json/2/res.partner/write")));
        ODOO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")).withRequestBody(containing("\"email\":\"bob_x@example.com\"")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/search_read"))
                .withRequestBody(containing("bob\\\\_x@example.com")));
    }

    @Test
    void aPaymentAfterAMembershipLeavesTheContactsNameAsTheMembershipSetIt() {
        awaitStatus(Crms.sendMembership(port, "msg_od_name_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_od_name_p", 7, 1, "payment.succeeded", "succeeded", "2026-01-21T00:00:00.000Z"), "DONE");

        List<LoggedRequest> writes = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/res.partner/write")));
        assertThat(writes).hasSize(1);
        assertThat(writes.get(0).getBodyAsString()).contains("\"ids\":[8]").doesNotContain("\"name\"");
    }

    @Test
    void wonThenLostIsLostInOdoosSenseAndReactivatedIsOpenAgain() {
        awaitStatus(Crms.sendMembership(port, "msg_od_won", 1, "active", false, "2026-01-20T00:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendMembership(port, "msg_od_lost", 1, "canceled", false, "2026-01-21T00:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendMembership(port, "msg_od_back", 1, "active", false, "2026-01-22T00:00:00.000Z"), "DONE");

        List<LoggedRequest> writes = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/write")));
        assertThat(writes).hasSize(2);
        JsonNode lost = json(writes.get(0)).path("vals");
        assertThat(lost.path("active").asBoolean(true)).isFalse();
        assertThat(lost.path("probability").asInt(-1)).isZero(); // archived at 100 would still count as won
        JsonNode reopened = json(writes.get(1)).path("vals");
        assertThat(reopened.path("active").asBoolean()).isTrue();
        assertThat(reopened.path("stage_id").asInt()).isEqualTo(4);
        assertThat(reopened.path("lost_reason_id").isBoolean()).isTrue();
        // "Lost" is no stage: it never makes Sluice read the stages again
        ODOO.verify(lessThanOrExactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.stage/search_read")));
    }

    @Test
    void aLeadAndAContactDeletedInOdooAreCreatedAgainAndLinkedWithoutADeadLetter() {
        awaitStatus(Crms.sendMembership(port, "msg_od_del_1", 1, "active", false, "2026-01-20T00:00:00.000Z"), "DONE");
        ODOO.stubFor(call("res.partner", "write").atPriority(1).willReturn(OdooRecordings.answer("json2-error-missing-record-partner-404")));
        ODOO.stubFor(call("crm.lead", "write").atPriority(1).willReturn(OdooRecordings.answer("json2-error-missing-record-lead-404")));

        awaitStatus(Crms.sendMembership(port, "msg_od_del_2", 1, "past_due", false, "2026-01-21T00:00:00.000Z"), "DONE");

        ODOO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")));
        ODOO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        ODOO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/search_read")));
        List<LoggedRequest> creates = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(json(creates.get(1)).path("vals_list").path(0).path("partner_id").asInt()).isEqualTo(8);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aMissingCustomFieldDeadLettersAtOnceNamingItWithoutTheTraceback() {
        ODOO.stubFor(call("crm.lead", "create").atPriority(1).willReturn(OdooRecordings.answer("json2-error-unknown-field-500")));

        awaitStatus(Crms.sendMembership(port, "msg_od_field", 1, "active", false, T), "DEAD");

        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter WHERE event_id = 'msg_od_field'", String.class))
                .contains("Invalid field 'x_no_such_field' in 'crm.lead'").contains("mappings/odoo.yaml").doesNotContain("Traceback");
    }

    @Test
    void theStartUpCheckNamesAWrongDatabaseOrAMissingFieldAndHoldsEvents() {
        ODOO.stubFor(call("res.partner", "search_read").atPriority(1).willReturn(OdooRecordings.answer("json2-error-wrong-database-404-html")));
        preflight.runNow();
        JsonNode crm = jsonOf(admin("GET", "/actuator/health", ADMIN_TOKEN)).path("components").path("crm");
        assertThat(crm.path("status").asText()).isEqualTo("DOWN");
        assertThat(crm.path("details").path("reason").asText()).contains("ODOO_DB").contains("No database is selected");
        String id = Crms.sendMembership(port, "msg_od_wrongdb", 1, "active", false, T);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> "RECEIVED".equals(eventStatus(id)));

        io.sluice.support.Stubs.heal(ODOO, this::stubHealthy);
        ODOO.stubFor(call("crm.lead", "fields_get").atPriority(1).willReturn(OdooRecordings.fieldsGet(List.of("id", "name", "stage_id"))));
        assertThat(preflight.runNow().reason()).contains("x_whop_membership_id").contains("crm.lead");

        io.sluice.support.Stubs.heal(ODOO, this::stubHealthy);
        preflight.runNow();
        awaitStatus(id, "DONE");
    }

    @Test
    void aOneWordNameAfterATwoWordNameDoesNotBlankAnything() {
        sendMembership("msg_od_dana_1", "mem_dana", "dana@example.com", "Dana Smith");
        sendMembership("msg_od_dana_2", "mem_dana", "dana@example.com", "Dana", "2026-01-21T00:00:00.000Z");

        List<LoggedRequest> writes = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/res.partner/write")));
        assertThat(writes).hasSize(1);
        assertThat(json(writes.get(0)).path("vals").path("name").asText()).isEqualTo("Dana");
        assertThat(writes.get(0).getBodyAsString()).doesNotContain("\"\"");
    }

    @Test
    void everyRecordedRefusalDeadLettersAtOnceWithOdoosNameAndMessageOnly() {
        // rights missing (403 AccessError), and a model the server does not have (404 NotFound, JSON)
        ODOO.stubFor(call("crm.lead", "create").atPriority(1).willReturn(OdooRecordings.answer("json2-error-access-error-403")));
        awaitStatus(Crms.sendMembership(port, "msg_od_403", 1, "active", false, T), "DEAD");
        ODOO.stubFor(call("crm.lead", "create").atPriority(1).willReturn(OdooRecordings.answer("json2-error-unknown-model-404")));
        awaitStatus(Crms.sendMembership(port, "msg_od_model", 2, "active", false, T), "DEAD");

        ODOO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter WHERE event_id = 'msg_od_403'", String.class))
                .contains("odoo.exceptions.AccessError").contains("not allowed to access").doesNotContain("Traceback");
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter WHERE event_id = 'msg_od_model'", String.class))
                .contains("werkzeug.exceptions.NotFound").contains("does not exist").doesNotContain("Traceback");
    }

    private void sendMembership(String id, String membershipId, String email, String name) {
        sendMembership(id, membershipId, email, name, T);
    }

    private void sendMembership(String id, String membershipId, String email, String name, String updatedAt) {
        String body = io.sluice.support.Webhooks.membershipBody(id, membershipId, email, name, "active", false, updatedAt);
        io.sluice.support.Webhooks.sendSigned(port, id, java.time.Instant.now().getEpochSecond(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        awaitStatus(id, "DONE");
    }

    private JsonNode json(LoggedRequest request) {
        try {
            return json.readTree(request.getBodyAsString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
