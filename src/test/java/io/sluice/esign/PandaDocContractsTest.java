package io.sluice.esign;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.sluice.support.Crms;
import io.sluice.support.ESignCallbacks;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.time.Instant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PandaDoc end to end: a document created from the template, sent once it is a draft (never
 * created twice when a later step fails), webhooks verified by the worked {@code ?signature=} example, several events
 * in one delivery, the lifecycle into the CRM, and the void by status.
 */
@TestPropertySource(properties = {"sluice.esign.provider=pandadoc",
        "sluice.esign.pandadoc.api-key=" + PandaDocContractsTest.API_KEY,
        "sluice.esign.pandadoc.webhook-key=" + PandaDocContractsTest.SHARED_KEY,
        "sluice.esign.pandadoc.max-requests=1000",
        "sluice.esign.pandadoc.draft-wait=3s", "sluice.esign.pandadoc.draft-poll-interval=50ms"})
class PandaDocContractsTest extends SluiceTestBase {

    static final String API_KEY = "pd-api-key-0123456789";
    /** The providers' documented worked example's shared key, body and signature. */
    static final String SHARED_KEY = "pd_shared_key_3f9a1c7e5b2d4a6c";
    private static final String WORKED_BODY = "[{\"event\":\"document_state_changed\",\"data\":{\"id\":\"XHjv8z3SfDuTseFSnhprML\","
            + "\"name\":\"Contract C-42\",\"status\":\"document.completed\",\"metadata\":{\"contract_id\":\"C-42\"}}}]";
    private static final String WORKED_SIGNATURE = "f534cefdb5ce20fdd0ce81d52e03afb8296d713a949f315f5766850d38b34ccb";
    private static final String DOCUMENTS = "/public/v1/documents";
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final WireMockServer PANDADOC = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        PANDADOC.start();
    }

    @DynamicPropertySource
    static void pandadoc(DynamicPropertyRegistry registry) {
        registry.add("sluice.esign.pandadoc.base-url", PANDADOC::baseUrl);
    }

    @BeforeEach
    void healthyPandaDoc() {
        PANDADOC.resetAll();
    }

    @Test
    void theWorkedSignatureExampleIsAcceptedAndAReserialisedOrUnsignedBodyIsRefused() {
        HttpResponse<String> ok = ESignCallbacks.pandaDocSigned(port, WORKED_SIGNATURE, WORKED_BODY, "evt-worked-1");
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(jsonOf(ok).path("id").asText()).isEqualTo("pandadoc:evt-worked-1");
        awaitStatus("pandadoc:evt-worked-1", "IGNORED"); // not a document Sluice made
        assertThat(ESignCallbacks.pandaDocSigned(port, WORKED_SIGNATURE, WORKED_BODY, "evt-worked-1").statusCode())
                .as("the same event id again").isEqualTo(200);
        assertThat(ESignCallbacks.pandaDocSigned(port, WORKED_SIGNATURE.toUpperCase(), WORKED_BODY, "evt-worked-1").statusCode())
                .as("hex in capitals").isEqualTo(200);

        long before = count("SELECT COUNT(*) FROM event_log");
        String pretty = WORKED_BODY.replace(",", ", ");
        HttpResponse<String> reserialised = ESignCallbacks.pandaDocSigned(port, WORKED_SIGNATURE, pretty, "evt-worked-2");
        assertThat(reserialised.statusCode()).isEqualTo(401);
        assertThat(jsonOf(reserialised).path("error").asText()).isEqualTo("signature does not match the body for the configured shared key");
        assertThat(ESignCallbacks.pandaDoc(port, "wrong-key", WORKED_BODY, "evt-worked-3").statusCode()).isEqualTo(401);
        HttpResponse<String> unsigned = ESignCallbacks.pandaDocSigned(port, null, WORKED_BODY, "evt-worked-4");
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(jsonOf(unsigned).path("error").asText()).contains("missing query parameter signature");
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(before);
    }

    @Test
    void aDocumentIsCreatedFromTheTemplateSentWhenItIsADraftAndItsLifecycleMovesTheDeal() {
        awaitStatus(Crms.sendMembership(port, "msg_pd_m1", 1, "trialing", false, T), "DONE");
        String id = sentContract("doc_life_1", "mem_t1");
        PANDADOC.verify(exactly(1), postRequestedFor(urlPathEqualTo(DOCUMENTS)).withHeader("Authorization", equalTo("API-Key " + API_KEY))
                .withRequestBody(equalToJson("{\"name\":\"Please sign: Contract C-42\",\"template_uuid\":\"ustHNnVaPCD6MzuoNBbZ8L\","
                        + "\"recipients\":[{\"email\":\"jane@acme.example\",\"first_name\":\"Jane\",\"last_name\":\"Roe\",\"role\":\"Client\",\"signing_order\":1},"
                        + "{\"email\":\"sam@us.example\",\"first_name\":\"Sam\",\"last_name\":\"Sales\",\"role\":\"Sender\",\"signing_order\":2}],"
                        + "\"metadata\":{\"sluice_contract_id\":\"" + id + "\"}}")));
        PANDADOC.verify(exactly(1), postRequestedFor(urlPathEqualTo(DOCUMENTS + "/doc_life_1/send"))
                .withRequestBody(equalToJson("{\"subject\":\"Please sign: Contract C-42\",\"message\":\"Hi Jane, please review and sign.\",\"silent\":false}")));

        Instant later = clock.instant().plusSeconds(60);
        // one delivery, two events: the viewing and Jane's signature
        String body = "[" + state("doc_life_1", id, "document.viewed", later) + "," + recipientCompleted("doc_life_1", id, "jane@acme.example",
                "Jane", "Roe", later.plusSeconds(60)) + "]";
        assertThat(ESignCallbacks.pandaDoc(port, SHARED_KEY, body, "evt-life-1").statusCode()).isEqualTo(202);
        awaitStatus("pandadoc:evt-life-1#0", "DONE");
        awaitStatus("pandadoc:evt-life-1#1", "DONE");
        assertThat(contractStatus(id)).isEqualTo("SIGNING");

        assertThat(ESignCallbacks.pandaDoc(port, SHARED_KEY, "[" + state("doc_life_1", id, "document.completed", later.plusSeconds(600)) + "]",
                "evt-life-2").statusCode()).isEqualTo(202);
        awaitStatus("pandadoc:evt-life-2", "DONE");
        assertThat(contractStatus(id)).isEqualTo("COMPLETED");
        assertThat(jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = 'mem_t1'", String.class)).isEqualTo("won");

        // a late "sent" changes neither the contract nor the deal
        assertThat(ESignCallbacks.pandaDoc(port, SHARED_KEY, "[" + state("doc_life_1", id, "document.sent", later.plusSeconds(900)) + "]",
                "evt-life-3").statusCode()).isEqualTo(202);
        awaitStatus("pandadoc:evt-life-3", "DONE");
        assertThat(contractStatus(id)).isEqualTo("COMPLETED");
        assertThat(jdbc.queryForList("SELECT text FROM crm_note WHERE external_id LIKE ? ORDER BY external_id", String.class, "contract-" + id + "-%"))
                .hasSize(4).anyMatch(t -> t.endsWith("completed: signed by all 2 signer(s)"))
                .anyMatch(t -> t.endsWith("signed by Jane Roe <jane@acme.example>"))
                .anyMatch(t -> t.endsWith("viewed"));
    }

    @Test
    void aFailureAfterCreatingTheDocumentNeverCreatesASecondOne() {
        stubCreated("doc_retry_1");
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS + "/doc_retry_1/send")).inScenario("send").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("upstream unavailable")).willSetStateTo("healthy"));
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS + "/doc_retry_1/send")).inScenario("send").whenScenarioStateIs("healthy")
                .willReturn(okJson("{\"id\":\"doc_retry_1\",\"status\":\"document.sent\"}")));
        String id = request("mem_t2");
        awaitStatus("esign-send:" + id, "DONE");
        assertThat(contractStatus(id)).isEqualTo("SENT");
        PANDADOC.verify(exactly(1), postRequestedFor(urlPathEqualTo(DOCUMENTS)));
        PANDADOC.verify(exactly(2), postRequestedFor(urlPathEqualTo(DOCUMENTS + "/doc_retry_1/send")));
    }

    @Test
    void aTemplateThatFailsIsADeadLetterWithTheReason() {
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS)).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"doc_err_1\",\"status\":\"document.uploaded\"}")));
        PANDADOC.stubFor(get(urlPathEqualTo(DOCUMENTS + "/doc_err_1")).willReturn(okJson("{\"id\":\"doc_err_1\",\"status\":\"document.error\"}")));
        String id = request("mem_t3");
        awaitStatus("esign-send:" + id, "DEAD");
        assertThat(adminJson("GET", "/api/contracts/" + id).path("lastError").asText()).contains("document.error").contains("check the template");
    }

    @Test
    void voidingASentDocumentSetsItsStatusAndADraftIsDeleted() {
        String id = sentContract("doc_void_1", "mem_t4");
        PANDADOC.stubFor(patch(urlPathEqualTo(DOCUMENTS + "/doc_void_1/status")).willReturn(aResponse().withStatus(204)));
        HttpResponse<String> voided = admin("DELETE", "/api/contracts/" + id + "?reason=Wrong%20plan", ADMIN_TOKEN);
        assertThat(voided.statusCode()).isEqualTo(200);
        assertThat(jsonOf(voided).path("status").asText()).isEqualTo("VOIDED");
        PANDADOC.verify(patchRequestedFor(urlPathEqualTo(DOCUMENTS + "/doc_void_1/status"))
                .withRequestBody(equalToJson("{\"status\":11,\"note\":\"Wrong plan\",\"notify_recipients\":true}")));

        // held at the draft: voiding deletes the document that was never sent
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS)).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"doc_void_2\",\"status\":\"document.uploaded\"}")));
        PANDADOC.stubFor(get(urlPathEqualTo(DOCUMENTS + "/doc_void_2")).willReturn(okJson("{\"id\":\"doc_void_2\",\"status\":\"document.uploaded\"}")));
        String draft = request("mem_t5");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> "CREATED".equals(contractStatus(draft)));
        PANDADOC.stubFor(delete(urlPathEqualTo(DOCUMENTS + "/doc_void_2")).willReturn(aResponse().withStatus(204)));
        HttpResponse<String> deleted = admin("DELETE", "/api/contracts/" + draft, ADMIN_TOKEN);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(jsonOf(deleted).path("status").asText()).isEqualTo("CANCELED");
        PANDADOC.verify(deleteRequestedFor(urlPathEqualTo(DOCUMENTS + "/doc_void_2")));
    }

    @Test
    void anExpiryIsRefusedBecausePandaDocHasNoneInItsApi() {
        HttpResponse<String> response = adminPost("/api/contracts", "{\"template\":\"t\",\"expiresInDays\":10,"
                + "\"signers\":[{\"role\":\"Client\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\"}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jsonOf(response).path("detail").asText()).contains("PandaDoc").contains("template");
    }

    // --- helpers

    private String sentContract(String documentId, String membershipId) {
        stubCreated(documentId);
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS + "/" + documentId + "/send")).willReturn(okJson(
                "{\"id\":\"" + documentId + "\",\"status\":\"document.sent\"}")));
        String id = request(membershipId);
        awaitStatus("esign-send:" + id, "DONE");
        assertThat(contractStatus(id)).isEqualTo("SENT");
        return id;
    }

    /** The document is uploaded, then (on the second look) a draft. */
    private static void stubCreated(String documentId) {
        PANDADOC.stubFor(post(urlPathEqualTo(DOCUMENTS)).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"" + documentId + "\",\"name\":\"Please sign: Contract C-42\",\"status\":\"document.uploaded\","
                        + "\"date_created\":\"2026-02-01T09:00:00.000Z\",\"uuid\":\"" + documentId + "\"}")));
        String path = DOCUMENTS + "/" + documentId;
        PANDADOC.stubFor(get(urlPathEqualTo(path)).inScenario(documentId).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"id\":\"" + documentId + "\",\"status\":\"document.uploaded\"}")).willSetStateTo("draft"));
        PANDADOC.stubFor(get(urlPathEqualTo(path)).inScenario(documentId).whenScenarioStateIs("draft")
                .willReturn(okJson("{\"id\":\"" + documentId + "\",\"status\":\"document.draft\"}")));
    }

    private String request(String membershipId) {
        HttpResponse<String> created = adminPost("/api/contracts", "{\"template\":\"ustHNnVaPCD6MzuoNBbZ8L\",\"subject\":\"Please sign: Contract C-42\","
                + "\"message\":\"Hi Jane, please review and sign.\",\"membershipId\":\"" + membershipId + "\",\"personEmail\":\"person1@example.com\","
                + "\"signers\":[{\"role\":\"Client\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\",\"order\":1},"
                + "{\"role\":\"Sender\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\",\"order\":2}]}");
        assertThat(created.statusCode()).isEqualTo(202);
        return jsonOf(created).path("id").asText();
    }

    private static String state(String documentId, String contractId, String status, Instant modified) {
        return "{\"event\":\"document_state_changed\",\"data\":{\"id\":\"" + documentId + "\",\"name\":\"Please sign: Contract C-42\","
                + "\"status\":\"" + status + "\",\"date_modified\":\"" + modified + "\",\"metadata\":{\"sluice_contract_id\":\"" + contractId + "\"}}}";
    }

    private static String recipientCompleted(String documentId, String contractId, String email, String first, String last, Instant at) {
        return "{\"event\":\"recipient_completed\",\"data\":{\"id\":\"" + documentId + "\",\"status\":\"document.sent\",\"action_date\":\""
                + at + "\",\"action_by\":{\"email\":\"" + email + "\",\"first_name\":\"" + first + "\",\"last_name\":\"" + last + "\"},"
                + "\"metadata\":{\"sluice_contract_id\":\"" + contractId + "\"}}}";
    }

    private String contractStatus(String id) {
        return jdbc.queryForList("SELECT status FROM contract WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
    }
}
