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
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Zoho connector against a WireMock Zoho: the accounts server and an EU API host named by
 * the token's {@code api_domain} live under different path prefixes, so the test sees which host each call used.
 */
@TestPropertySource(properties = {"sluice.crm.provider=zoho", "sluice.crm.zoho.client-id=1000.CLIENTID",
        "sluice.crm.zoho.client-secret=" + ZohoConnectorTest.SECRET, "sluice.crm.zoho.refresh-token=" + ZohoConnectorTest.REFRESH,
        "sluice.crm.zoho.max-requests=1000", "sluice.crm.zoho.per=1s", "sluice.crm.zoho.limit-wait=1s",
        // these tests are about writes: the start-up check (ZohoConformanceTest) holds nothing here
        "sluice.crm.check-holds-events=false",
        "sluice.crm.breaker.minimum-number-of-calls=4", "sluice.crm.breaker.sliding-window-size=4",
        "sluice.crm.breaker.wait-in-open-state=2s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class ZohoConnectorTest extends SluiceTestBase {

    static final String SECRET = "zoho-client-secret-0123";
    static final String REFRESH = "1000.refresh-token-0123";
    private static final WireMockServer ZOHO = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final String CONTACT = "111111000000157040";
    private static final String DEAL = "111111000000157039";
    private static final String API = "/eu-api/crm/v8";

    static {
        ZOHO.start();
    }

    @DynamicPropertySource
    static void zoho(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.zoho.accounts-url", () -> ZOHO.baseUrl() + "/accounts");
    }

    @Autowired
    private CircuitBreaker breaker;

    @BeforeEach
    void healthyZoho() {
        ZOHO.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        breaker.reset();
        stubHealthy("1000.access-one");
    }

    private void stubHealthy(String accessToken) {
        ZOHO.stubFor(post(urlPathEqualTo("/accounts/oauth/v2/token")).willReturn(okJson("{\"access_token\":\"" + accessToken
                + "\",\"expires_in\":3600,\"api_domain\":\"" + ZOHO.baseUrl() + "/eu-api\",\"token_type\":\"Bearer\",\"scope\":\"ZohoCRM.modules.ALL\"}")));
        ZOHO.stubFor(api(post(urlPathEqualTo(API + "/Contacts/upsert")), accessToken).willReturn(okJson(record(CONTACT, "update"))));
        ZOHO.stubFor(api(post(urlPathEqualTo(API + "/Deals/upsert")), accessToken).willReturn(okJson(record(DEAL, "insert"))));
        ZOHO.stubFor(api(post(urlPathEqualTo(API + "/Notes")), accessToken).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(record("333", "insert"))));
        ZOHO.stubFor(api(put(urlPathEqualTo(API + "/Notes/333")), accessToken).willReturn(okJson(record("333", "update"))));
    }

    private static MappingBuilder api(MappingBuilder request, String accessToken) {
        return request.withHeader("Authorization", equalTo("Zoho-oauthtoken " + accessToken));
    }

    private static String record(String id, String action) {
        return "{\"data\":[{\"code\":\"SUCCESS\",\"duplicate_field\":null,\"action\":\"" + action + "\",\"details\":{\"id\":\"" + id
                + "\",\"Created_Time\":\"2026-02-01T13:00:00+01:00\"},\"message\":\"record " + (action.equals("insert") ? "added" : "updated")
                + "\",\"status\":\"success\"}]}";
    }

    @Test
    void aMembershipRefreshesTheTokenThenUpsertsTheContactAndTheDealOnTheDataCentresHost() {
        awaitStatus(Crms.sendMembership(port, "msg_zo_1", 1, "active", false, T), "DONE");

        LoggedRequest token = ZOHO.findAll(postRequestedFor(urlPathEqualTo("/accounts/oauth/v2/token"))).get(0);
        assertThat(token.getBodyAsString()).contains("grant_type=refresh_token").contains("refresh_token=1000.refresh-token-0123")
                .contains("client_id=1000.CLIENTID").contains("client_secret=" + SECRET);
        assertThat(token.getUrl()).doesNotContain(SECRET).doesNotContain(REFRESH);
        ZOHO.verify(postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert")).withRequestBody(equalToJson(
                "{\"data\":[{\"First_Name\":\"Person\",\"Last_Name\":\"Number1\",\"Whop_User_ID\":\"user_t1\",\"Email\":\"person1@example.com\"}],"
                        + "\"duplicate_check_fields\":[\"Email\"]}")));
        ZOHO.verify(postRequestedFor(urlPathEqualTo(API + "/Deals/upsert")).withRequestBody(equalToJson(
                "{\"data\":[{\"Deal_Name\":\"Acme Pro (mem_t1)\",\"Stage\":\"Closed Won\",\"Whop_Membership_ID\":\"mem_t1\","
                        + "\"Closing_Date\":\"2026-02-01\",\"Contact_Name\":{\"id\":\"" + CONTACT + "\"}}],"
                        + "\"duplicate_check_fields\":[\"Whop_Membership_ID\"]}")));

        awaitStatus(Crms.sendMembership(port, "msg_zo_2", 2, "active", false, T), "DONE");
        ZOHO.verify(exactly(1), postRequestedFor(urlPathEqualTo("/accounts/oauth/v2/token"))); // the token is reused
    }

    @Test
    void aPaymentNoteIsCreatedUnderTheDealOnceAndUpdatedLater() {
        awaitStatus(Crms.sendMembership(port, "msg_zo_m", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_zo_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_zo_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");

        ZOHO.verify(exactly(1), postRequestedFor(urlPathEqualTo(API + "/Notes")));
        ZOHO.verify(postRequestedFor(urlPathEqualTo(API + "/Notes")).withRequestBody(equalToJson(
                "{\"data\":[{\"Note_Title\":\"Payment pending: 49 USD\",\"Note_Content\":\"Payment pending: 49 USD for Acme Pro "
                        + "(payment pay_t7, status pending)\",\"Parent_Id\":{\"module\":{\"api_name\":\"Deals\"},\"id\":\"" + DEAL + "\"}}]}")));
        ZOHO.verify(putRequestedFor(urlPathEqualTo(API + "/Notes/333")).withRequestBody(containing("status succeeded")));
    }

    @Test
    void aMalformedAnswerIsRetriedNotTakenForSuccess() {
        ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).willReturn(okJson("{\"info\":{}}")));

        String id = Crms.sendMembership(port, "msg_zo_bad", 1, "active", false, T);
        await().atMost(Duration.ofSeconds(15)).until(() -> ZOHO.findAll(postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert"))).size() >= 4);

        ZOHO.verify(exactly(0), postRequestedFor(urlPathEqualTo(API + "/Deals/upsert")));
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("without data[0]");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero(); // a gateway's odd answer heals by waiting
    }

    @Test
    void aPerRecordErrorDeadLettersTheEventWithZohosCodeAndMessage() {
        ZOHO.stubFor(post(urlPathEqualTo(API + "/Deals/upsert")).atPriority(1).willReturn(okJson("{\"data\":[{\"code\":\"INVALID_DATA\","
                + "\"details\":{\"api_name\":\"Stage\",\"json_path\":\"$.data[0].Stage\"},\"message\":\"invalid data\",\"status\":\"error\"}]}")));

        awaitStatus(Crms.sendMembership(port, "msg_zo_err", 1, "active", false, T), "DEAD");

        ZOHO.verify(exactly(1), postRequestedFor(urlPathEqualTo(API + "/Deals/upsert")));
        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("zoho refused deal.upsert").contains("INVALID_DATA").contains("Stage");
    }

    @Test
    void theConcurrencyLimitWaitsAndRetriesButSpentCreditsPauseTheCrm() {
        failFirstContactCallsWith(aResponse().withStatus(429).withBody("{\"code\":\"TOO_MANY_REQUESTS\",\"status\":\"error\"}"));
        awaitStatus(Crms.sendMembership(port, "msg_zo_429", 1, "active", false, T), "DONE");
        List<LoggedRequest> calls = ZOHO.findAll(postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert")));
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(900);

        ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).willReturn(aResponse().withStatus(429)
                .withHeader("X-API-CREDITS-REMAINING", "0").withBody("{\"code\":\"TOO_MANY_REQUESTS\",\"status\":\"error\"}")));
        String id = Crms.sendMembership(port, "msg_zo_credits", 2, "active", false, T);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM pause WHERE target = 'crm'") == 1);
        assertThat(jdbc.queryForObject("SELECT reason FROM pause WHERE target = 'crm'", String.class)).contains("credits");
        assertThat(eventStatus(id)).isEqualTo("RECEIVED");

        ZOHO.resetAll();
        stubHealthy("1000.access-one");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitStatus(id, "DONE");
    }

    @Test
    void anAccessTokenZohoCallsInvalidIsRefreshedAndTheWriteRetried() {
        ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).inScenario("token").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(401).withBody("{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}"))
                .willSetStateTo("refreshed"));

        awaitStatus(Crms.sendMembership(port, "msg_zo_tok", 1, "active", false, T), "DONE");

        ZOHO.verify(exactly(2), postRequestedFor(urlPathEqualTo("/accounts/oauth/v2/token")));
    }

    @Test
    void aRefusedRefreshTokenDeadLettersWithWhatToCheck() {
        ZOHO.stubFor(post(urlPathEqualTo("/accounts/oauth/v2/token")).atPriority(1).willReturn(okJson("{\"error\":\"invalid_code\"}")));
        // the token from an earlier test may still be cached: make Zoho call it invalid first
        ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).willReturn(aResponse().withStatus(401)
                .withBody("{\"code\":\"INVALID_TOKEN\",\"status\":\"error\"}")));

        awaitStatus(Crms.sendMembership(port, "msg_zo_ref", 1, "active", false, T), "DEAD");

        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("invalid_code").contains("ZOHO_REFRESH_TOKEN").doesNotContain(REFRESH).doesNotContain(SECRET);
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedAndAnOpenBreakerHoldsEventsUntilZohoAnswers() {
        failFirstContactCallsWith(aResponse().withStatus(500), aResponse().withFixedDelay(2500).withStatus(200));
        awaitStatus(Crms.sendMembership(port, "msg_zo_5xx", 1, "active", false, T), "DONE");
        ZOHO.verify(exactly(3), postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert")));

        var outage = ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).willReturn(aResponse().withStatus(503)));
        List<String> ids = List.of("msg_zo_cb1", "msg_zo_cb2", "msg_zo_cb3");
        for (int i = 0; i < ids.size(); i++) {
            Crms.sendMembership(port, ids.get(i), 30 + i, "active", false, T);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE' AND id LIKE 'msg_zo_cb%'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        // Zoho answers again, with no moment in between in which the stand-in knows no answer (a 404 is a refusal)
        ZOHO.resetRequests();
        stubHealthy("1000.access-one");
        ZOHO.removeStub(outage);
        ids.forEach(id -> awaitStatus(id, "DONE")); // by themselves once Zoho answers: no replay
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        ZOHO.verify(exactly(3), postRequestedFor(urlPathEqualTo(API + "/Deals/upsert")));
        ZOHO.verify(exactly(0), postRequestedFor(anyUrl()).withHeader("Authorization", containing(SECRET)));
    }

    private void failFirstContactCallsWith(ResponseDefinitionBuilder... failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures.length; i++) {
            String next = "attempt-" + (i + 2);
            ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1).inScenario("contacts")
                    .whenScenarioStateIs(state).willReturn(failures[i]).willSetStateTo(next));
            state = next;
        }
    }

    @Test
    void aOneWordNameAndANamelessPaymentNeverOverwriteTheLastNameInZoho() {
        for (String[] named : new String[][]{{"msg_zo_dana_1", "Dana Smith", "2026-01-20T00:00:00.000Z"}, {"msg_zo_dana_2", "Dana", "2026-01-21T00:00:00.000Z"}}) {
            String body = io.sluice.support.Webhooks.membershipBody(named[0], "mem_dana", "dana@example.com", named[1], "active", false, named[2]);
            io.sluice.support.Webhooks.sendSigned(port, named[0], java.time.Instant.now().getEpochSecond(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            awaitStatus(named[0], "DONE");
        }

        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> contacts =
                ZOHO.findAll(postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert")));
        assertThat(contacts).hasSize(2);
        assertThat(contacts.get(0).getBodyAsString()).contains("\"Last_Name\":\"Smith\"");
        // Zoho knows the contact now: no stand-in for the mandatory last name, and none for the deal's closing date
        assertThat(contacts.get(1).getBodyAsString()).contains("\"First_Name\":\"Dana\"").doesNotContain("Last_Name");
    }

    @Test
    void aNewContactWithoutANameGetsTheStandInLastNameOnlyAfterZohoAsksForIt() {
        ZOHO.stubFor(post(urlPathEqualTo(API + "/Contacts/upsert")).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining("Last_Name"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(
                        "{\"data\":[{\"code\":\"MANDATORY_NOT_FOUND\",\"details\":{\"api_name\":\"Last_Name\",\"json_path\":\"$.data[0].Last_Name\"},"
                                + "\"message\":\"required field not found\",\"status\":\"error\"}]}")));

        awaitStatus(Crms.sendPayment(port, "msg_zo_new_p", 8, 8, "payment.succeeded", "succeeded", T), "DONE");

        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> contacts =
                ZOHO.findAll(postRequestedFor(urlPathEqualTo(API + "/Contacts/upsert")));
        assertThat(contacts).hasSize(2);
        assertThat(contacts.get(0).getBodyAsString()).doesNotContain("Last_Name");
        assertThat(contacts.get(1).getBodyAsString()).contains("\"Last_Name\":\"person8@example.com\"");
    }
}
