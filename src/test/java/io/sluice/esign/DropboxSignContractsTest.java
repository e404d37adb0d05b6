package io.sluice.esign;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.support.ESignCallbacks;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dropbox Sign end to end: send_with_template then the expiry, multipart callbacks verified
 * by the worked event_hash example and answered exactly {@code Hello API Event Received}, every event believed only
 * as far as the re-fetched signature request bears it out, and cancellation confirmed by its event.
 */
@TestPropertySource(properties = {"sluice.esign.provider=dropboxsign",
        "sluice.esign.dropboxsign.api-key=" + DropboxSignContractsTest.API_KEY,
        "sluice.esign.dropboxsign.test-mode=true",
        "sluice.esign.dropboxsign.max-requests=1000"})
class DropboxSignContractsTest extends SluiceTestBase {

    /** The providers' documented worked example's API key, time, type and hash. */
    static final String API_KEY = "c5a2f1e0d9b8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2";
    private static final String EVENT_TIME = "1768472430";
    private static final String EVENT_HASH = "a2f742b2c7aac7d44928f353ff2e69cd098dc78f6817944c41f308277a8d9014";
    private static final String ACK = "Hello API Event Received";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((API_KEY + ":").getBytes(StandardCharsets.UTF_8));
    private static final WireMockServer DROPBOX = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        DROPBOX.start();
    }

    @DynamicPropertySource
    static void dropbox(DynamicPropertyRegistry registry) {
        registry.add("sluice.esign.dropboxsign.base-url", () -> DROPBOX.baseUrl() + "/v3");
    }

    @BeforeEach
    void healthyDropbox() {
        clock.set(Instant.ofEpochSecond(Long.parseLong(EVENT_TIME)).minus(Duration.ofHours(1)));
        DROPBOX.resetAll();
    }

    @Test
    void theWorkedHashExampleIsAcceptedInItsMultipartShapeAndAnsweredAsDropboxWants() {
        String id = sentContract("sr_worked01", "mem_d1");
        requestIs("sr_worked01", id, true, false, "signed", "signed");

        HttpResponse<String> response = ESignCallbacks.dropboxSignMultipart(port, event(EVENT_TIME, "signature_request_all_signed", EVENT_HASH,
                "sr_worked01", id, null));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(ACK);
        String eventId = "dropboxsign:sr_worked01:signature_request_all_signed:" + EVENT_TIME;
        awaitStatus(eventId, "DONE");
        assertThat(contractStatus(id)).isEqualTo("COMPLETED");
        // the hash does not cover the body: the request was fetched again before the completion was believed
        DROPBOX.verify(getRequestedFor(urlPathEqualTo("/v3/signature_request/sr_worked01")).withHeader("Authorization", equalTo(BASIC)));

        HttpResponse<String> duplicate = ESignCallbacks.dropboxSignMultipart(port, event(EVENT_TIME, "signature_request_all_signed",
                EVENT_HASH, "sr_worked01", id, null));
        assertThat(duplicate.statusCode()).isEqualTo(200);
        assertThat(duplicate.body()).isEqualTo(ACK);
    }

    @Test
    void aTamperedTypeOrTimeOrAnotherKeyIsRefusedAndNothingIsStored() {
        long before = count("SELECT COUNT(*) FROM event_log");
        HttpResponse<String> otherType = ESignCallbacks.dropboxSignMultipart(port, event(EVENT_TIME, "signature_request_declined", EVENT_HASH,
                "sr_x", null, null));
        assertThat(otherType.statusCode()).isEqualTo(401);
        assertThat(jsonOf(otherType).path("error").asText()).contains("event_hash does not match");
        assertThat(ESignCallbacks.dropboxSignMultipart(port, event("1768472431", "signature_request_all_signed", EVENT_HASH, "sr_x",
                null, null)).statusCode()).isEqualTo(401);
        String otherKey = ESignCallbacks.eventHash("another-api-key", EVENT_TIME, "signature_request_all_signed");
        assertThat(ESignCallbacks.dropboxSignMultipart(port, event(EVENT_TIME, "signature_request_all_signed", otherKey, "sr_x",
                null, null)).statusCode()).isEqualTo(401);
        assertThat(ESignCallbacks.dropboxSignMultipart(port, event(EVENT_TIME, "signature_request_all_signed", null, "sr_x",
                null, null)).statusCode()).isEqualTo(401);
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(before);

        HttpResponse<String> notJson = ESignCallbacks.dropboxSignJson(port, "{\"event\":");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(jsonOf(notJson).path("error").asText()).contains("not valid JSON");
    }

    @Test
    void theAccountCallbackTestIsAcknowledgedAndIgnored() {
        String time = "1768472500";
        String body = "{\"event\":{\"event_time\":\"" + time + "\",\"event_type\":\"callback_test\",\"event_hash\":\""
                + ESignCallbacks.eventHash(API_KEY, time, "callback_test") + "\",\"event_metadata\":{\"related_signature_id\":null,"
                + "\"reported_for_account_id\":\"acc_1\",\"reported_for_app_id\":null,\"event_message\":null}}}";
        HttpResponse<String> response = ESignCallbacks.dropboxSignJson(port, body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(ACK);
        assertThat(eventStatus("dropboxsign:callback_test:" + time)).isEqualTo("IGNORED");
    }

    @Test
    void aContractIsSentWithTheTemplateToTwoSignersAndItsExpirySetAfterwards() {
        String id = sentContract("sr_send01", "mem_d2");
        DROPBOX.verify(exactly(1), postRequestedFor(urlPathEqualTo("/v3/signature_request/send_with_template"))
                .withHeader("Authorization", equalTo(BASIC))
                .withRequestBody(equalToJson("{\"template_ids\":[\"c26b8a16784a872da37ea946b9ddec7c1e11dff6\"],"
                        + "\"subject\":\"Please sign: Contract C-42\",\"message\":\"Hi Jane, please review and sign.\","
                        + "\"signers\":[{\"role\":\"Client\",\"name\":\"Jane Roe\",\"email_address\":\"jane@acme.example\"},"
                        + "{\"role\":\"Company\",\"name\":\"Sam Sales\",\"email_address\":\"sam@us.example\"}],"
                        + "\"metadata\":{\"sluice_contract_id\":\"" + id + "\"},\"test_mode\":true}")));
        long expiresAt = clock.instant().plus(Duration.ofDays(14)).getEpochSecond();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> DROPBOX.verify(postRequestedFor(urlPathEqualTo("/v3/signature_request/update/sr_send01"))
                .withRequestBody(equalToJson("{\"signature_id\":\"sig_jane\",\"expires_at\":" + expiresAt + "}"))));
        assertThat(jdbc.queryForObject("SELECT expiry_applied FROM contract WHERE id = ?", Boolean.class, id)).isTrue();
    }

    @Test
    void eventsAreBelievedOnlyAsFarAsTheFetchedRequestShowsThem() {
        String id = sentContract("sr_check01", "mem_d3");
        // the body claims completion; Dropbox Sign says otherwise when asked
        requestIs("sr_check01", id, false, false, "signed", "awaiting_signature");
        String time = "1768472600";
        HttpResponse<String> claim = ESignCallbacks.dropboxSignMultipart(port, event(time, "signature_request_all_signed",
                ESignCallbacks.eventHash(API_KEY, time, "signature_request_all_signed"), "sr_check01", id, null));
        assertThat(claim.body()).isEqualTo(ACK);
        String claimId = "dropboxsign:sr_check01:signature_request_all_signed:" + time;
        awaitStatus(claimId, "IGNORED");
        assertThat(contractStatus(id)).isEqualTo("SENT");
        assertThat(adminJson("GET", "/api/events/" + claimId).path("history").toString()).contains("does not confirm");

        // one signer did sign: that is noted, with the name from the fetched request
        String signedAt = "1768472700";
        ESignCallbacks.dropboxSignMultipart(port, event(signedAt, "signature_request_signed",
                ESignCallbacks.eventHash(API_KEY, signedAt, "signature_request_signed"), "sr_check01", id, "sig_jane"));
        awaitStatus("dropboxsign:sr_check01:signature_request_signed:" + signedAt + ":sig_jane", "DONE");
        assertThat(contractStatus(id)).isEqualTo("SIGNING");
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = ?", String.class,
                "contract-" + id + "-signed-jane@acme.example")).endsWith("signed by Jane Roe <jane@acme.example>");
    }

    @Test
    void aCancellationIsAskedForAndConfirmedByItsEvent() {
        String id = sentContract("sr_cancel01", "mem_d4");
        DROPBOX.stubFor(post(urlPathEqualTo("/v3/signature_request/cancel/sr_cancel01")).willReturn(aResponse().withStatus(200)));
        HttpResponse<String> voided = admin("DELETE", "/api/contracts/" + id, ADMIN_TOKEN);
        assertThat(voided.statusCode()).isEqualTo(202);
        assertThat(jsonOf(voided).path("status").asText()).isEqualTo("VOID_REQUESTED");

        DROPBOX.stubFor(get(urlPathEqualTo("/v3/signature_request/sr_cancel01")).willReturn(aResponse().withStatus(410)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"error_msg\":\"This resource has been deleted\",\"error_name\":\"deleted\"}}")));
        String time = "1768472800";
        ESignCallbacks.dropboxSignMultipart(port, event(time, "signature_request_canceled",
                ESignCallbacks.eventHash(API_KEY, time, "signature_request_canceled"), "sr_cancel01", id, null));
        awaitStatus("dropboxsign:sr_cancel01:signature_request_canceled:" + time, "DONE");
        assertThat(contractStatus(id)).isEqualTo("VOIDED");
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = ?", String.class, "contract-" + id + "-voided"))
                .endsWith("voided");
    }

    // --- helpers

    private String sentContract(String requestId, String membershipId) {
        DROPBOX.stubFor(post(urlPathEqualTo("/v3/signature_request/send_with_template")).willReturn(okJson(
                "{\"signature_request\":{\"signature_request_id\":\"" + requestId + "\",\"title\":\"Contract C-42\",\"is_complete\":false,"
                        + "\"is_declined\":false,\"has_error\":false,\"signatures\":[" + signature("sig_jane", "jane@acme.example", "Jane Roe",
                        "Client", "awaiting_signature") + "," + signature("sig_sam", "sam@us.example", "Sam Sales", "Company",
                        "awaiting_signature") + "]},\"warnings\":[]}")));
        requestIs(requestId, null, false, false, "awaiting_signature", "awaiting_signature");
        DROPBOX.stubFor(post(urlPathEqualTo("/v3/signature_request/update/" + requestId)).willReturn(okJson(
                "{\"signature_request\":{\"signature_request_id\":\"" + requestId + "\"}}")));
        HttpResponse<String> created = adminPost("/api/contracts", "{\"template\":\"c26b8a16784a872da37ea946b9ddec7c1e11dff6\","
                + "\"subject\":\"Please sign: Contract C-42\",\"message\":\"Hi Jane, please review and sign.\",\"expiresInDays\":14,"
                + "\"membershipId\":\"" + membershipId + "\",\"signers\":[{\"role\":\"Client\",\"name\":\"Jane Roe\",\"email\":\"jane@acme.example\"},"
                + "{\"role\":\"Company\",\"name\":\"Sam Sales\",\"email\":\"sam@us.example\"}]}");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = jsonOf(created).path("id").asText();
        awaitStatus("esign-send:" + id, "DONE");
        assertThat(contractStatus(id)).isEqualTo("SENT");
        return id;
    }

    private static void requestIs(String requestId, String contractId, boolean complete, boolean declined, String jane, String sam) {
        DROPBOX.stubFor(get(urlPathEqualTo("/v3/signature_request/" + requestId)).willReturn(okJson(
                "{\"signature_request\":{\"signature_request_id\":\"" + requestId + "\",\"is_complete\":" + complete + ",\"is_declined\":"
                        + declined + ",\"has_error\":false,\"metadata\":{" + (contractId == null ? "" : "\"sluice_contract_id\":\"" + contractId + "\"")
                        + "},\"signatures\":[" + signature("sig_jane", "jane@acme.example", "Jane Roe", "Client", jane) + ","
                        + signature("sig_sam", "sam@us.example", "Sam Sales", "Company", sam) + "]}}")));
    }

    private static String signature(String id, String email, String name, String role, String status) {
        return "{\"signature_id\":\"" + id + "\",\"signer_email_address\":\"" + email + "\",\"signer_name\":\"" + name
                + "\",\"signer_role\":\"" + role + "\",\"order\":null,\"status_code\":\"" + status + "\",\"decline_reason\":null}";
    }

    /** An event callback as Dropbox Sign sends it (SDK EventCallbackRequest). */
    static String event(String time, String type, String hash, String requestId, String contractId, String signatureId) {
        return "{\"event\":{\"event_time\":\"" + time + "\",\"event_type\":\"" + type + "\""
                + (hash == null ? "" : ",\"event_hash\":\"" + hash + "\"")
                + ",\"event_metadata\":{\"related_signature_id\":" + (signatureId == null ? "null" : "\"" + signatureId + "\"")
                + ",\"reported_for_account_id\":\"acc_1\",\"reported_for_app_id\":null,\"event_message\":null}},"
                + "\"signature_request\":{\"signature_request_id\":\"" + requestId + "\",\"title\":\"Contract C-42\",\"is_complete\":true,"
                + "\"metadata\":{" + (contractId == null ? "" : "\"sluice_contract_id\":\"" + contractId + "\"") + "},"
                + "\"signatures\":[" + signature("sig_jane", "jane@acme.example", "Jane Roe", "Client", "signed") + "]}}";
    }

    private String contractStatus(String id) {
        return jdbc.queryForList("SELECT status FROM contract WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
    }
}
