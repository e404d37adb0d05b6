package io.sluice.crm;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.support.Crms;
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
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Odoo connector over JSON-2 against a WireMock Odoo built from research crm.md §D, with its failure modes. */
@TestPropertySource(properties = {"sluice.crm.provider=odoo", "sluice.crm.odoo.api-key=" + OdooConnectorTest.KEY,
        "sluice.crm.odoo.db=acme", "sluice.crm.odoo.max-requests=1000", "sluice.crm.odoo.per=1s",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class OdooConnectorTest extends SluiceTestBase {

    static final String KEY = "6578616d706c65-odoo-key";
    private static final WireMockServer ODOO = new WireMockServer(WireMockConfiguration.options().dynamicPort());
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

    @BeforeEach
    void healthyOdoo() {
        ODOO.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        breaker.reset();
        stubHealthy();
    }

    private void stubHealthy() {
        ODOO.stubFor(call("res.partner", "search_read").willReturn(okJson("[]")));
        ODOO.stubFor(call("res.partner", "create").willReturn(okJson("[42]")));
        ODOO.stubFor(call("res.partner", "write").willReturn(okJson("true")));
        ODOO.stubFor(call("crm.stage", "search_read").willReturn(okJson(
                "[{\"id\":1,\"name\":\"New\"},{\"id\":2,\"name\":\"Qualified\"},{\"id\":3,\"name\":\"Proposition\"},{\"id\":4,\"name\":\"Won\"}]")));
        ODOO.stubFor(call("crm.lead", "search_read").willReturn(okJson("[]")));
        ODOO.stubFor(call("crm.lead", "create").willReturn(okJson("[17]")));
        ODOO.stubFor(call("crm.lead", "write").willReturn(okJson("true")));
        ODOO.stubFor(call("crm.lead", "message_post").willReturn(okJson("991")));
        ODOO.stubFor(call("mail.message", "write").willReturn(okJson("true")));
    }

    private static MappingBuilder call(String model, String method) {
        return post(urlPathEqualTo("/json/2/" + model + "/" + method)).withHeader("Authorization", equalTo("bearer " + KEY))
                .withHeader("X-Odoo-Database", equalTo("acme"));
    }

    @Test
    void aMembershipFindsOrCreatesThePartnerAndTheLeadInTheNamedStage() {
        awaitStatus(Crms.sendMembership(port, "msg_od_1", 1, "active", false, T), "DONE");

        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/search_read")).withRequestBody(equalToJson(
                "{\"domain\":[[\"email\",\"=ilike\",\"person1@example.com\"]],\"fields\":[\"id\"],\"limit\":1,\"context\":{\"active_test\":false}}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")).withRequestBody(equalToJson(
                "{\"vals_list\":[{\"name\":\"Person Number1\",\"x_whop_user_id\":\"user_t1\",\"email\":\"person1@example.com\"}]}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/search_read")).withRequestBody(equalToJson(
                "{\"domain\":[[\"x_whop_membership_id\",\"=\",\"mem_t1\"]],\"fields\":[\"id\"],\"limit\":1,\"context\":{\"active_test\":false}}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")).withRequestBody(equalToJson(
                "{\"vals_list\":[{\"name\":\"Acme Pro (mem_t1)\",\"date_deadline\":\"2026-02-01\",\"x_whop_membership_id\":\"mem_t1\","
                        + "\"type\":\"opportunity\",\"partner_id\":42,\"email_from\":\"person1@example.com\",\"stage_id\":4,\"active\":true}]}")));

        // a later change writes the remembered records: no search, no create
        awaitStatus(Crms.sendMembership(port, "msg_od_2", 1, "canceled", false, "2026-02-01T00:00:00.000Z"), "DONE");
        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/search_read")));
        ODOO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/crm.lead/write")).withRequestBody(equalToJson(
                "{\"ids\":[17],\"vals\":{\"active\":false}}", true, true)));
    }

    @Test
    void aPartnerThatExistsIsWrittenNotDuplicated() {
        ODOO.stubFor(call("res.partner", "search_read").atPriority(1).willReturn(okJson("[{\"id\":7}]")));

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
                "{\"ids\":[17],\"body\":\"Payment pending: 49 USD for Acme Pro (payment pay_t7, status pending)\","
                        + "\"message_type\":\"comment\",\"subtype_xmlid\":\"mail.mt_note\"}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/json/2/mail.message/write")).withRequestBody(equalToJson(
                "{\"ids\":[991],\"vals\":{\"body\":\"Payment succeeded: 49 USD for Acme Pro (payment pay_t7, status succeeded)\"}}")));
    }

    @Test
    void aRejectedKeyDeadLettersAtOnce() {
        ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).willReturn(aResponse().withStatus(401)
                .withBody("{\"name\":\"werkzeug.exceptions.Unauthorized\",\"message\":\"Invalid apikey\",\"arguments\":[],\"context\":{}}")));
        awaitStatus(Crms.sendMembership(port, "msg_od_401", 1, "active", false, T), "DEAD");
        ODOO.verify(exactly(1), postRequestedFor(anyUrl()));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter WHERE event_id = 'msg_od_401'", String.class))
                .contains("HTTP 401").contains("Invalid apikey").contains("ODOO_API_KEY").doesNotContain(KEY);

    }

    @Test
    void aProxysTooManyRequestsServerErrorsAndTimeoutsAreRetried() {
        String state = Scenario.STARTED;
        List<ResponseDefinitionBuilder> failures = List.of(aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withStatus(502), aResponse().withFixedDelay(2500).withStatus(200));
        for (int i = 0; i < failures.size(); i++) {
            ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).inScenario("odoo")
                    .whenScenarioStateIs(state).willReturn(failures.get(i)).willSetStateTo("attempt-" + (i + 2)));
            state = "attempt-" + (i + 2);
        }
        String id = Crms.sendMembership(port, "msg_od_retry", 1, "active", false, T);
        awaitStatus(id, "DEAD"); // three failures, sluice.processing.max-redeliveries=2
        List<LoggedRequest> calls = ODOO.findAll(postRequestedFor(urlPathEqualTo("/json/2/res.partner/search_read")));
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);
        adminJson("POST", "/api/dead-letters/replay");
        awaitStatus(id, "DONE");
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        ODOO.stubFor(call("res.partner", "create").atPriority(1).willReturn(aResponse().withStatus(200).withBody("<html>proxy</html>")));

        awaitStatus(Crms.sendMembership(port, "msg_od_bad", 1, "active", false, T), "DEAD");

        ODOO.verify(exactly(3), postRequestedFor(urlPathEqualTo("/json/2/res.partner/create")));
        ODOO.verify(exactly(0), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter WHERE event_id = 'msg_od_bad'", String.class)).contains("not JSON");
    }

    @Test
    void repeatedFailuresOpenTheBreakerNothingIsDoneAndReplayCompletesEveryEvent() {
        ODOO.stubFor(post(urlPathEqualTo("/json/2/res.partner/search_read")).atPriority(1).willReturn(aResponse().withStatus(500)));
        List<String> ids = List.of("msg_od_cb1", "msg_od_cb2", "msg_od_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 40 + i, "active", false, T);
        }
        ids.forEach(id -> awaitStatus(id, "DEAD"));
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isZero();
        assertThat(jdbc.queryForList("SELECT error FROM dead_letter", String.class)).anyMatch(e -> e.contains("CallNotPermitted"));
        ODOO.resetAll();
        stubHealthy();
        await().atMost(Duration.ofSeconds(10)).until(() -> breaker.getState() != CircuitBreaker.State.OPEN);
        adminJson("POST", "/api/dead-letters/replay");
        ids.forEach(id -> awaitStatus(id, "DONE"));
        ODOO.verify(exactly(3), postRequestedFor(urlPathEqualTo("/json/2/crm.lead/create")));
    }
}
