package io.sluice.esign;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.sluice.support.Crms;
import io.sluice.support.ESignCallbacks;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.TestRsaKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DocuSign end to end: the JWT grant and account discovery, envelopes sent from a template,
 * Connect callbacks verified by the worked HMAC example and turned into contract steps, CRM notes and the deal's stage,
 * void, status and download, and the failure modes of sending.
 */
@TestPropertySource(properties = {"sluice.esign.provider=docusign",
        "sluice.esign.public-url=https://sluice.example.com",
        "sluice.esign.docusign.integration-key=" + DocuSignContractsTest.INTEGRATION_KEY,
        "sluice.esign.docusign.user-id=" + DocuSignContractsTest.USER,
        "sluice.esign.docusign.account-id=" + DocuSignContractsTest.ACCOUNT,
        "sluice.esign.docusign.connect-hmac-keys=an-older-connect-key-being-rotated-out," + DocuSignContractsTest.CONNECT_KEY,
        "sluice.esign.docusign.max-requests=1000",
        // a late "sent" must not move the deal back: give sent a stage of its own so that it would show
        "sluice.esign.stages.sent=open", "sluice.esign.stages.completed=won",
        // the send rule: an active membership of the example product gets the onboarding contract, countersigned
        "sluice.esign.rules[0].name=onboarding", "sluice.esign.rules[0].products=prod_H7j8K9l0Z1x2C3",
        "sluice.esign.rules[0].template=tpl-onboarding", "sluice.esign.rules[0].customer-role=Customer",
        "sluice.esign.rules[0].subject=Welcome to {product}",
        "sluice.esign.rules[0].signers[0].role=CompanySigner", "sluice.esign.rules[0].signers[0].name=Sam Sales",
        "sluice.esign.rules[0].signers[0].email=sam@us.example",
        "camel.component.http.response-timeout=1500", "camel.component.http.so-timeout=1500"})
class DocuSignContractsTest extends SluiceTestBase {

    static final String INTEGRATION_KEY = "7c2b8d7e-0000-4000-8000-00000000a001";
    static final String USER = "99999999-8888-7777-6666-555555555555";
    static final String ACCOUNT = "11111111-2222-3333-4444-555555555555";
    /** The providers' documented worked example's key, used as its UTF-8 bytes. */
    static final String CONNECT_KEY = "dGVzdC1jb25uZWN0LWhtYWMta2V5LTEyMzQ1Njc4OTA=";
    static final String WORKED_BODY = "{\"event\":\"envelope-completed\",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/"
            + "11111111-2222-3333-4444-555555555555/envelopes/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\"retryCount\":0,\"configurationId\":10001,"
            + "\"generatedDateTime\":\"2026-01-15T10:20:30.0000000Z\",\"data\":{\"accountId\":\"11111111-2222-3333-4444-555555555555\","
            + "\"userId\":\"99999999-8888-7777-6666-555555555555\",\"envelopeId\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"}}";
    static final String WORKED_SIGNATURE = "LKFWfWnLTKYE8e0bi+Z9obICLMN/6NfYB2834f16PX8=";
    private static final String TOKEN = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.ds-access-token";
    private static final String ENVELOPES = "/restapi/v2.1/accounts/" + ACCOUNT + "/envelopes";
    private static final String T = "2026-01-20T14:03:11.000Z";

    private static final WireMockServer DOCUSIGN = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final KeyPair KEYS = TestRsaKeys.generate();
    private static final Path KEY_FILE = TestRsaKeys.writePkcs1(KEYS, Path.of("target/test-data-" + io.sluice.support.TestFork.id() + "/docusign-test-key.pem"));

    static {
        DOCUSIGN.start();
    }

    @DynamicPropertySource
    static void docusign(DynamicPropertyRegistry registry) {
        // no base-url: the REST host comes from the account's base_uri in the user info
        registry.add("sluice.esign.docusign.oauth-base-url", DOCUSIGN::baseUrl);
        registry.add("sluice.esign.docusign.private-key-file", () -> KEY_FILE.toString());
    }

    @BeforeEach
    void healthyDocuSign() {
        // callbacks below happen later the same day, as they would after a send
        clock.set(java.time.Instant.parse("2026-02-01T09:00:00Z"));
        DOCUSIGN.resetAll();
        DOCUSIGN.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(
                "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":28800}")));
        DOCUSIGN.stubFor(get(urlPathEqualTo("/oauth/userinfo")).withHeader("Authorization", equalTo("Bearer " + TOKEN)).willReturn(okJson(
                "{\"sub\":\"" + USER + "\",\"accounts\":[{\"account_id\":\"00000000-0000-0000-0000-000000000000\",\"is_default\":true,"
                        + "\"account_name\":\"Other\",\"base_uri\":\"https://na3.docusign.net\"},{\"account_id\":\"" + ACCOUNT
                        + "\",\"is_default\":false,\"account_name\":\"Acme\",\"base_uri\":\"" + DOCUSIGN.baseUrl() + "\"}]}")));
        stubEnvelopeCreated("env-00000001");
    }

    private static void stubEnvelopeCreated(String envelopeId) {
        DOCUSIGN.stubFor(post(urlPathEqualTo(ENVELOPES)).withHeader("Authorization", equalTo("Bearer " + TOKEN)).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"envelopeId\":\"" + envelopeId
                        + "\",\"uri\":\"/envelopes/" + envelopeId + "\",\"statusDateTime\":\"2026-02-01T09:00:00.0000000Z\",\"status\":\"sent\"}")));
    }

    @Test
    void theWorkedSignatureExampleIsAcceptedAndATamperedOrUnsignedOneIsRefused() {
        HttpResponse<String> ok = ESignCallbacks.docuSignSigned(port, WORKED_SIGNATURE, WORKED_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(ok.statusCode()).isEqualTo(200);
        String id = "docusign:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:envelope-completed:2026-01-15T10:20:30.0000000Z";
        assertThat(jsonOf(ok).path("id").asText()).isEqualTo(id);
        assertThat(jsonOf(ok).path("status").asText()).isEqualTo("accepted");
        // not a contract Sluice sent: kept, visible, nothing applied
        awaitStatus(id, "IGNORED");
        assertThat(adminJson("GET", "/api/events/" + id).path("history").toString()).contains("no contract Sluice sent");

        HttpResponse<String> again = ESignCallbacks.docuSignSigned(port, WORKED_SIGNATURE, WORKED_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(jsonOf(again).path("status").asText()).isEqualTo("duplicate");

        long stored = count("SELECT COUNT(*) FROM event_log");
        String tampered = WORKED_BODY.replace("envelope-completed", "envelope-voided");
        HttpResponse<String> forged = ESignCallbacks.docuSignSigned(port, WORKED_SIGNATURE, tampered.getBytes(StandardCharsets.UTF_8));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(jsonOf(forged).path("error").asText()).contains("X-DocuSign-Signature").doesNotContain(WORKED_SIGNATURE);
        assertThat(ESignCallbacks.docuSign(port, "not-the-connect-key", WORKED_BODY).statusCode()).as("wrong key").isEqualTo(401);
        HttpResponse<String> unsigned = ESignCallbacks.docuSignSigned(port, null, WORKED_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(jsonOf(unsigned).path("error").asText()).contains("missing header X-DocuSign-Signature-1");
        assertThat(count("SELECT COUNT(*) FROM event_log")).as("refused callbacks store nothing").isEqualTo(stored);

        assertThat(ESignCallbacks.post(port, "/webhooks/esign/pandadoc", "application/json", "[]").statusCode())
                .as("a provider that is not configured").isEqualTo(404);
        assertThat(admin("GET", "/actuator/prometheus", null).body())
                .contains("sluice_webhook_requests_total{application=\"sluice\",outcome=\"bad_signature\",source=\"docusign\"}")
                .contains("sluice_webhook_requests_total{application=\"sluice\",outcome=\"not_configured\",source=\"pandadoc\"}");
    }

    @Test
    void aContractIsSentFromTheTemplateToTwoSignersWithTheJwtGrant() throws Exception {
        clock.advance(Duration.ofDays(400)); // past any token an earlier test minted: this send mints a new one
        double sentBefore = metric("contract_sent_total{application=\"sluice\",provider=\"docusign\"}");
        HttpResponse<String> created = adminPost("/api/contracts", twoSigners("mem_t1"));
        assertThat(created.statusCode()).isEqualTo(202);
        String id = jsonOf(created).path("id").asText();
        assertThat(jsonOf(created).path("status").asText()).isEqualTo("QUEUED");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/contracts/" + id);

        JsonNode contract = awaitContract(id, "SENT");
        assertThat(contract.path("providerId").asText()).isEqualTo("env-00000001");
        assertThat(contract.path("document").asText()).isEqualTo("/api/contracts/" + id + "/document");

        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)).withRequestBody(equalToJson("{"
                + "\"templateId\":\"9f0c1d2e-template-guid\","
                + "\"templateRoles\":[{\"roleName\":\"Customer\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\",\"routingOrder\":\"1\"},"
                + "{\"roleName\":\"CompanySigner\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\",\"routingOrder\":\"2\"}],"
                + "\"emailSubject\":\"Please sign: Contract C-42\",\"emailBlurb\":\"Hi Jane, please review and sign.\",\"status\":\"sent\","
                + "\"notification\":{\"useAccountDefaults\":\"false\",\"expirations\":{\"expireEnabled\":\"true\",\"expireAfter\":\"30\"}},"
                + "\"customFields\":{\"textCustomFields\":[{\"name\":\"sluiceContractId\",\"value\":\"" + id + "\",\"show\":\"false\"}]},"
                + "\"eventNotification\":{\"url\":\"https://sluice.example.com/webhooks/esign/docusign\",\"deliveryMode\":\"SIM\","
                + "\"includeHMAC\":\"true\",\"requireAcknowledgment\":\"true\",\"events\":[\"envelope-sent\",\"envelope-delivered\","
                + "\"envelope-completed\",\"envelope-declined\",\"envelope-voided\",\"recipient-delivered\",\"recipient-completed\","
                + "\"recipient-declined\"],\"eventData\":{\"version\":\"restv2.1\",\"format\":\"json\",\"includeData\":[\"recipients\",\"custom_fields\"]}}}")));

        // the JWT grant: an RS256 assertion from the integration key for the user, verified with the key pair's public half
        LoggedRequest token = DOCUSIGN.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))).get(0);
        Map<String, String> form = form(token.getBodyAsString());
        assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
        SignedJWT assertion = SignedJWT.parse(form.get("assertion"));
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) KEYS.getPublic()))).isTrue();
        assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo(INTEGRATION_KEY);
        assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo(USER);
        assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly("localhost:" + DOCUSIGN.port());
        assertThat(assertion.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("signature impersonation");

        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = ?", String.class, "contract-" + id + "-sent"))
                .isEqualTo("Contract " + id + " (Please sign: Contract C-42): sent to Jane Roe <jane@acme.example>, Sam Sales <sam@us.example>");
        assertThat(metric("contract_sent_total{application=\"sluice\",provider=\"docusign\"}")).isEqualTo(sentBefore + 1);
    }

    @Test
    void theFullLifecycleMovesTheDealOnceAndNotesEveryStep() {
        clock.reset(); // the Whop webhook is signed now
        awaitStatus(Crms.sendMembership(port, "msg_ds_m1", 1, "trialing", false, T), "DONE");
        clock.set(java.time.Instant.parse("2026-02-01T09:00:00Z"));
        double signedBefore = metric("contract_signed_total{application=\"sluice\",provider=\"docusign\"}");
        String id = sentContract("mem_t1", "env-life-1");
        assertThat(stage("mem_t1")).as("sent moves the deal to the stage configured for sent").isEqualTo("open");

        deliver("envelope-sent", "env-life-1", id, "2026-02-01T10:00:00.0000000Z", null, "sent", "sent", "sent");
        deliver("recipient-delivered", "env-life-1", id, "2026-02-01T10:05:00.0000000Z", "1", "sent", "delivered", "sent");
        deliver("recipient-completed", "env-life-1", id, "2026-02-01T10:10:00.0000000Z", "1", "sent", "completed", "sent");
        assertThat(contractStatus(id)).isEqualTo("SIGNING");
        deliver("recipient-completed", "env-life-1", id, "2026-02-01T11:00:00.0000000Z", "2", "sent", "completed", "completed");
        deliver("envelope-completed", "env-life-1", id, "2026-02-01T11:00:05.0000000Z", null, "completed", "completed", "completed");

        assertThat(contractStatus(id)).isEqualTo("COMPLETED");
        assertThat(stage("mem_t1")).isEqualTo("won");
        assertThat(notes(id)).containsExactlyInAnyOrder(
                "sent to Jane Roe <jane@acme.example>, Sam Sales <sam@us.example>",
                "viewed by Jane Roe <jane@acme.example>",
                "signed by Jane Roe <jane@acme.example>",
                "signed by Sam Sales <sam@us.example>",
                "completed: signed by all 2 signer(s)");
        assertThat(metric("contract_signed_total{application=\"sluice\",provider=\"docusign\"}")).isEqualTo(signedBefore + 1);

        // the same delivery again (Connect retries with the same identity): acknowledged, nothing changes
        long steps = count("SELECT COUNT(*) FROM contract_step");
        HttpResponse<String> duplicate = ESignCallbacks.docuSign(port, CONNECT_KEY,
                connect("envelope-completed", "env-life-1", id, "2026-02-01T11:00:05.0000000Z", null, "completed", "completed", "completed"));
        assertThat(jsonOf(duplicate).path("status").asText()).isEqualTo("duplicate");
        assertThat(count("SELECT COUNT(*) FROM contract_step")).isEqualTo(steps);

        // a "sent" that arrives after completion is recorded, but moves neither the contract nor the deal back
        deliver("envelope-sent", "env-life-1", id, "2026-02-01T12:00:00.0000000Z", null, "sent", "sent", "sent");
        assertThat(contractStatus(id)).isEqualTo("COMPLETED");
        assertThat(stage("mem_t1")).isEqualTo("won");
        JsonNode history = adminJson("GET", "/api/contracts/" + id).path("history");
        assertThat(history.get(history.size() - 1).path("step").asText()).isEqualTo("sent");
        assertThat(history.get(history.size() - 1).path("advanced").asBoolean()).isFalse();
        assertThat(count("SELECT COUNT(*) FROM crm_note WHERE external_id LIKE ?", "contract-" + id + "-%")).isEqualTo(5);
    }

    @Test
    void aDeclineIsNotedWithItsReasonAndAnExpiryIsToldApartFromAVoid() {
        String declined = sentContract("mem_t2", "env-decl-1");
        String body = connect("recipient-declined", "env-decl-1", declined, "2026-02-02T10:00:00.0000000Z", "1", "declined",
                "declined", "created").replace("\"status\":\"declined\",\"roleName\"", "\"status\":\"declined\",\"declinedReason\":\"Wrong price\",\"roleName\"");
        HttpResponse<String> decline = ESignCallbacks.docuSign(port, CONNECT_KEY, body);
        assertThat(decline.statusCode()).isEqualTo(200);
        awaitContract(declined, "DECLINED");
        awaitStatus(jsonOf(decline).path("id").asText(), "DONE"); // the note is written when the event is processed, after the status
        assertThat(notes(declined)).contains("declined by Jane Roe <jane@acme.example>: Wrong price");

        String expired = sentContract("mem_t3", "env-exp-1");
        String voided = connect("envelope-voided", "env-exp-1", expired, "2026-03-05T00:00:00.0000000Z", null, "voided", "sent", "sent")
                .replace("\"status\":\"voided\",", "\"status\":\"voided\",\"voidedReason\":\"Envelope has expired.\",");
        HttpResponse<String> expiry = ESignCallbacks.docuSign(port, CONNECT_KEY, voided);
        assertThat(expiry.statusCode()).isEqualTo(200);
        awaitContract(expired, "EXPIRED");
        awaitStatus(jsonOf(expiry).path("id").asText(), "DONE");
        assertThat(notes(expired)).contains("expired: Envelope has expired.");
    }

    @Test
    void anOperatorVoidsReadsTheLiveStatusAndDownloadsTheDocument() {
        String id = sentContract("mem_t4", "env-void-1");
        DOCUSIGN.stubFor(get(urlPathEqualTo(ENVELOPES + "/env-void-1")).withQueryParam("include", equalTo("recipients")).willReturn(okJson(
                "{\"envelopeId\":\"env-void-1\",\"status\":\"delivered\",\"recipients\":{\"signers\":[{\"recipientId\":\"1\","
                        + "\"email\":\"jane@acme.example\",\"name\":\"Jane Roe\",\"roleName\":\"Customer\",\"status\":\"delivered\"}]}}")));
        JsonNode live = adminJson("GET", "/api/contracts/" + id + "?live=true").path("live");
        assertThat(live.path("status").asText()).isEqualTo("delivered");
        assertThat(live.path("signers").get(0).path("email").asText()).isEqualTo("jane@acme.example");

        byte[] pdf = "%PDF-1.7 combined".getBytes(StandardCharsets.US_ASCII);
        DOCUSIGN.stubFor(get(urlPathEqualTo(ENVELOPES + "/env-void-1/documents/combined")).withHeader("Accept", equalTo("application/pdf"))
                .willReturn(aResponse().withHeader("Content-Type", "application/pdf").withBody(pdf)));
        HttpResponse<String> document = admin("GET", "/api/contracts/" + id + "/document", ADMIN_TOKEN);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(document.body()).isEqualTo("%PDF-1.7 combined");

        DOCUSIGN.stubFor(put(urlPathEqualTo(ENVELOPES + "/env-void-1")).willReturn(okJson("{\"envelopeId\":\"env-void-1\"}")));
        HttpResponse<String> voided = admin("DELETE", "/api/contracts/" + id + "?reason=Customer%20cancelled", ADMIN_TOKEN);
        assertThat(voided.statusCode()).isEqualTo(200);
        assertThat(jsonOf(voided).path("status").asText()).isEqualTo("VOIDED");
        DOCUSIGN.verify(putRequestedFor(urlPathEqualTo(ENVELOPES + "/env-void-1"))
                .withRequestBody(equalToJson("{\"status\":\"voided\",\"voidedReason\":\"Customer cancelled\"}")));
        HttpResponse<String> again = admin("DELETE", "/api/contracts/" + id, ADMIN_TOKEN);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(jsonOf(again).path("detail").asText()).contains("is VOIDED");
    }

    @Test
    void badContractRequestsAreRefusedWithTheFieldNamed() {
        HttpResponse<String> noSigners = adminPost("/api/contracts", "{\"template\":\"tpl\",\"signers\":[]}");
        assertThat(noSigners.statusCode()).isEqualTo(400);
        assertThat(jsonOf(noSigners).path("detail").asText()).isEqualTo("signers: at least one signer is required");
        HttpResponse<String> badEmail = adminPost("/api/contracts",
                "{\"template\":\"tpl\",\"signers\":[{\"role\":\"Customer\",\"name\":\"Jane\",\"email\":\"jane-at-example\"}]}");
        assertThat(badEmail.statusCode()).isEqualTo(400);
        assertThat(jsonOf(badEmail).path("detail").asText()).isEqualTo("signers[0].email is not an email address");
        assertThat(adminPost("/api/contracts", "{\"template\":").statusCode()).isEqualTo(400);
        assertThat(admin("GET", "/api/contracts/ctr_missing", ADMIN_TOKEN).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/api/contracts", null).statusCode()).isEqualTo(401);
        assertThat(count("SELECT COUNT(*) FROM contract")).isZero();
    }

    @Test
    void anIdempotencyKeyMakesARepeatedRequestReturnTheFirstContract() {
        HttpResponse<String> first = postWithKey("/api/contracts", twoSigners("mem_t6"), "order-6");
        HttpResponse<String> second = postWithKey("/api/contracts", twoSigners("mem_t6"), "order-6");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(jsonOf(second).path("id").asText()).isEqualTo(jsonOf(first).path("id").asText());
        awaitContract(jsonOf(first).path("id").asText(), "SENT");
        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)));
    }

    @Test
    void aRateLimitedSendIsRetriedAfterTheWaitDocuSignAskedFor() {
        DOCUSIGN.stubFor(post(urlPathEqualTo(ENVELOPES)).inScenario("limit").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"errorCode\":\"HOURLY_APIINVOCATION_LIMIT_EXCEEDED\",\"message\":\"The maximum number of hourly API invocations has been exceeded.\"}"))
                .willSetStateTo("retried"));
        DOCUSIGN.stubFor(post(urlPathEqualTo(ENVELOPES)).inScenario("limit").whenScenarioStateIs("retried").willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"envelopeId\":\"env-limit-1\",\"status\":\"sent\"}")));
        String id = jsonOf(adminPost("/api/contracts", twoSigners("mem_t7"))).path("id").asText();
        awaitContract(id, "SENT");
        DOCUSIGN.verify(exactly(2), postRequestedFor(urlPathEqualTo(ENVELOPES)));
        assertThat(adminJson("GET", "/api/events/esign-send:" + id).path("history").toString())
                .contains("HTTP 429").contains("HOURLY_APIINVOCATION_LIMIT_EXCEEDED").contains("waits until");
        var sends = DOCUSIGN.findAll(postRequestedFor(urlPathEqualTo(ENVELOPES)));
        assertThat(sends.get(1).getLoggedDate().getTime() - sends.get(0).getLoggedDate().getTime())
                .as("the wait DocuSign asked for (Retry-After: 1)").isGreaterThanOrEqualTo(900);
    }

    @Test
    void aSendWhoseAnswerTimedOutIsNotSentAgainButDeadLetteredWithWhatToCheck() {
        DOCUSIGN.stubFor(post(urlPathEqualTo(ENVELOPES)).willReturn(aResponse().withStatus(201).withFixedDelay(3000)
                .withHeader("Content-Type", "application/json").withBody("{\"envelopeId\":\"env-late-1\",\"status\":\"sent\"}")));
        String id = jsonOf(adminPost("/api/contracts", twoSigners("mem_t8"))).path("id").asText();
        awaitStatus("esign-send:" + id, "DEAD");
        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)));
        JsonNode contract = adminJson("GET", "/api/contracts/" + id);
        assertThat(contract.path("status").asText()).isEqualTo("QUEUED");
        assertThat(contract.path("lastError").asText()).contains("may or may not have reached docusign").contains(id);
        JsonNode dead = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(dead.path("eventId").asText()).isEqualTo("esign-send:" + id);
        assertThat(dead.path("error").asText()).contains("SendOutcomeUnknownException").contains("replay this dead letter only if it is not there");
    }

    @Test
    void theEsignKillSwitchHoldsSendsAndCallbacksWithoutLosingThem() {
        assertThat(admin("PUT", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        String id = jsonOf(adminPost("/api/contracts", twoSigners("mem_t9"))).path("id").asText();
        String callback = connect("envelope-sent", "env-unknown-9", null, "2026-02-09T10:00:00.0000000Z", null, "sent", "sent", "sent");
        assertThat(ESignCallbacks.docuSign(port, CONNECT_KEY, callback).statusCode()).as("callbacks are still accepted").isEqualTo(200);
        String callbackId = "docusign:env-unknown-9:envelope-sent:2026-02-09T10:00:00.0000000Z";
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> "RECEIVED".equals(eventStatus(callbackId)));
        assertThat(eventStatus("esign-send:" + id)).isEqualTo("RECEIVED");
        DOCUSIGN.verify(exactly(0), postRequestedFor(urlPathEqualTo(ENVELOPES)));

        assertThat(admin("DELETE", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        awaitContract(id, "SENT");
        awaitStatus(callbackId, "IGNORED");
    }

    @Test
    void statusShowsTheProviderAndTheContracts() {
        String id = sentContract("mem_t10", "env-status-1");
        JsonNode esign = adminJson("GET", "/api/status").path("esign");
        assertThat(esign.path("provider").asText()).isEqualTo("docusign");
        assertThat(esign.path("contracts").path("SENT").asLong()).isEqualTo(1);
        assertThat(adminJson("GET", "/api/contracts?status=sent").path("items").get(0).path("id").asText()).isEqualTo(id);
        assertThat(adminJson("GET", "/api/contracts?membershipId=mem_none").path("items")).isEmpty();
    }

    @Test
    void theSendRuleSendsOneContractPerMembershipHoweverOftenItsEventComesBack() {
        clock.reset(); // Whop webhooks are signed now
        stubEnvelopeCreated("env-rule-1");
        // held first, so that the membership's event can come back before the contract is sent
        assertThat(admin("PUT", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        String activation = Crms.sendMembership(port, "msg_rule_1", 5, "active", false, T);
        awaitStatus(activation, "DONE");
        String id = jdbc.queryForObject("SELECT id FROM contract WHERE once_key = 'rule:onboarding:mem_t5'", String.class);
        assertThat(contractStatus(id)).isEqualTo("QUEUED");

        // Whop redelivers the activation under a new webhook id, and the activation is processed again as after a
        // crash between the CRM write and its completion
        awaitStatus(Crms.sendMembership(port, "msg_rule_1b", 5, "active", false, T), "DONE");
        jdbc.update("DELETE FROM camel_messageprocessed WHERE messageid = ?", "whop:mem_t5:2026-01-20T14:03:11Z");
        jdbc.update("UPDATE event_log SET status = 'RECEIVED' WHERE id = ?", activation);
        awaitStatus(activation, "DONE");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE id = ? AND attempts = 2", activation)).as("it really ran again").isEqualTo(1);

        assertThat(admin("DELETE", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        awaitContract(id, "SENT");
        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)).withRequestBody(equalToJson("{"
                + "\"templateId\":\"tpl-onboarding\",\"templateRoles\":["
                + "{\"roleName\":\"Customer\",\"name\":\"Person Number5\",\"email\":\"person5@example.com\"},"
                + "{\"roleName\":\"CompanySigner\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\"}],"
                + "\"emailSubject\":\"Welcome to Acme Pro\",\"status\":\"sent\"}", true, true)));
        JsonNode contract = adminJson("GET", "/api/contracts/" + id);
        assertThat(contract.path("origin").asText()).isEqualTo("rule:onboarding");
        assertThat(contract.path("membershipId").asText()).isEqualTo("mem_t5");

        // a later change of the membership, still active, asks for nothing new
        awaitStatus(Crms.sendMembership(port, "msg_rule_2", 5, "active", false, java.time.Instant.now().plusSeconds(60).toString()), "DONE");
        assertThat(count("SELECT COUNT(*) FROM contract WHERE membership_id = 'mem_t5'")).isEqualTo(1);
        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)));

        // a membership that is not active gets none
        awaitStatus(Crms.sendMembership(port, "msg_rule_3", 11, "trialing", false, T), "DONE");
        assertThat(count("SELECT COUNT(*) FROM contract WHERE membership_id = 'mem_t11'")).isZero();
    }

    @Test
    void aPulledMembershipAppliedBeforeItsWebhookStillAsksForTheContract() {
        clock.reset();
        stubEnvelopeCreated("env-rule-pulled");
        assertThat(admin("PUT", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        // the scheduled pull stores the active membership first (membership.synced), then Whop's webhook arrives
        var record = io.sluice.support.WhopApiStub.membership(12, "active", false, T);
        var pulled = pulledEvents.toEvent(io.sluice.whop.WhopResource.MEMBERSHIPS, record, clock.instant());
        assertThat(eventLog.insertIfAbsent(pulled)).isTrue();
        awaitStatus(pulled.id(), "DONE");
        // a sweep of existing members asks for nothing (the rule is on membership.activated)
        assertThat(count("SELECT COUNT(*) FROM contract WHERE once_key = 'rule:onboarding:mem_t12'")).isZero();
        String webhook = Crms.sendMembership(port, "msg_rule_pulled", 12, "active", false, T);
        awaitStatus(webhook, "DONE");
        assertThat(adminJson("GET", "/api/events/" + webhook).path("history").toString()).contains("already applied");

        assertThat(count("SELECT COUNT(*) FROM contract WHERE once_key = 'rule:onboarding:mem_t12'")).isEqualTo(1);
        assertThat(admin("DELETE", "/api/pauses/esign", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        String id = jdbc.queryForObject("SELECT id FROM contract WHERE once_key = 'rule:onboarding:mem_t12'", String.class);
        awaitContract(id, "SENT");
    }

    @Test
    void aDuplicateOfAChangeANewerOneOvertookAsksForNothing() {
        clock.reset();
        stubEnvelopeCreated("env-rule-overtaken");
        // pulled active at T, then Whop says it was deactivated later; the activation webhook for T arrives last
        var pulled = pulledEvents.toEvent(io.sluice.whop.WhopResource.MEMBERSHIPS,
                io.sluice.support.WhopApiStub.membership(13, "active", false, T), clock.instant());
        assertThat(eventLog.insertIfAbsent(pulled)).isTrue();
        awaitStatus(pulled.id(), "DONE");
        awaitStatus(Crms.sendMembership(port, "msg_rule_gone", 13, "expired", false, "2026-02-01T00:00:00.000Z"), "DONE");
        String late = Crms.sendMembership(port, "msg_rule_late", 13, "active", false, T);
        awaitStatus(late, "DONE");

        assertThat(count("SELECT COUNT(*) FROM contract WHERE membership_id = 'mem_t13'")).as("contracts for a membership that ended").isZero();
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.sluice.whop.PulledRecordEvents pulledEvents;
    @org.springframework.beans.factory.annotation.Autowired
    private io.sluice.inbox.EventLog eventLog;

    // --- helpers

    private String sentContract(String membershipId, String envelopeId) {
        stubEnvelopeCreated(envelopeId);
        String id = jsonOf(adminPost("/api/contracts", twoSigners(membershipId))).path("id").asText();
        awaitContract(id, "SENT");
        awaitStatus("esign-send:" + id, "DONE");
        return id;
    }

    /** Posts a Connect event and waits until it is processed. */
    private void deliver(String event, String envelopeId, String contractId, String generated, String recipientId,
                         String envelopeStatus, String janeStatus, String samStatus) {
        String body = connect(event, envelopeId, contractId, generated, recipientId, envelopeStatus, janeStatus, samStatus);
        HttpResponse<String> response = ESignCallbacks.docuSign(port, CONNECT_KEY, body);
        assertThat(response.statusCode()).isEqualTo(200);
        awaitStatus(jsonOf(response).path("id").asText(), "DONE");
    }

    /** A JSON SIM Connect event with the envelope summary (recipients, custom fields) Sluice asks for. */
    static String connect(String event, String envelopeId, String contractId, String generated, String recipientId,
                          String envelopeStatus, String janeStatus, String samStatus) {
        String custom = contractId == null ? "" : ",\"customFields\":{\"textCustomFields\":[{\"fieldId\":\"1\",\"name\":\"sluiceContractId\","
                + "\"value\":\"" + contractId + "\",\"show\":\"false\",\"required\":\"false\"}]}";
        return "{\"event\":\"" + event + "\",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/" + ACCOUNT + "/envelopes/" + envelopeId
                + "\",\"retryCount\":0,\"configurationId\":10001,\"generatedDateTime\":\"" + generated + "\",\"data\":{\"accountId\":\""
                + ACCOUNT + "\",\"userId\":\"" + USER + "\",\"envelopeId\":\"" + envelopeId + "\""
                + (recipientId == null ? "" : ",\"recipientId\":\"" + recipientId + "\"")
                + ",\"envelopeSummary\":{\"status\":\"" + envelopeStatus + "\",\"emailSubject\":\"Please sign: Contract C-42\"" + custom
                + ",\"recipients\":{\"signers\":["
                + "{\"recipientId\":\"1\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\",\"status\":\"" + janeStatus + "\",\"roleName\":\"Customer\"},"
                + "{\"recipientId\":\"2\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\",\"status\":\"" + samStatus + "\",\"roleName\":\"CompanySigner\"}"
                + "]}}}}";
    }

    static String twoSigners(String membershipId) {
        return "{\"template\":\"9f0c1d2e-template-guid\",\"subject\":\"Please sign: Contract C-42\",\"message\":\"Hi Jane, please review and sign.\","
                + "\"expiresInDays\":30,\"membershipId\":\"" + membershipId + "\",\"personEmail\":\"Person1@Example.com\",\"signers\":["
                + "{\"role\":\"Customer\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\",\"order\":1},"
                + "{\"role\":\"CompanySigner\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\",\"order\":2}]}";
    }

    private HttpResponse<String> postWithKey(String path, String body, String idempotencyKey) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://localhost:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode awaitContract(String id, String status) {
        await().atMost(Duration.ofSeconds(15)).until(() -> status.equals(contractStatus(id)));
        return adminJson("GET", "/api/contracts/" + id);
    }

    private String contractStatus(String id) {
        return jdbc.queryForList("SELECT status FROM contract WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
    }

    private String stage(String membershipId) {
        return jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = ?", String.class, membershipId);
    }

    /** The contract's notes in the local CRM, without the "Contract <id> (<subject>): " that opens each. */
    private List<String> notes(String id) {
        return jdbc.queryForList("SELECT text FROM crm_note WHERE external_id LIKE ? ORDER BY created_at", String.class, "contract-" + id + "-%")
                .stream().map(t -> t.substring(t.indexOf("): ") + 3)).toList();
    }

    /** A Prometheus sample's value (0 when it is not there yet). */
    private double metric(String sample) {
        return admin("GET", "/actuator/prometheus", null).body().lines().filter(l -> l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1))).findFirst().orElse(0);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
