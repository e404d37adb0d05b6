package io.sluice.esign;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The providers' documented worked signature examples: valid, tampered, wrong key, re-serialised. */
class CallbackSignaturesTest {

    private static final String DS_KEY = "dGVzdC1jb25uZWN0LWhtYWMta2V5LTEyMzQ1Njc4OTA=";
    private static final String DS_BODY = "{\"event\":\"envelope-completed\",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/"
            + "11111111-2222-3333-4444-555555555555/envelopes/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\"retryCount\":0,\"configurationId\":10001,"
            + "\"generatedDateTime\":\"2026-01-15T10:20:30.0000000Z\",\"data\":{\"accountId\":\"11111111-2222-3333-4444-555555555555\","
            + "\"userId\":\"99999999-8888-7777-6666-555555555555\",\"envelopeId\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"}}";
    private static final String DS_SIGNATURE = "LKFWfWnLTKYE8e0bi+Z9obICLMN/6NfYB2834f16PX8=";

    private static final String DBX_KEY = "c5a2f1e0d9b8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2";
    private static final String DBX_HASH = "a2f742b2c7aac7d44928f353ff2e69cd098dc78f6817944c41f308277a8d9014";

    private static final String PD_KEY = "pd_shared_key_3f9a1c7e5b2d4a6c";
    private static final String PD_BODY = "[{\"event\":\"document_state_changed\",\"data\":{\"id\":\"XHjv8z3SfDuTseFSnhprML\",\"name\":\"Contract C-42\","
            + "\"status\":\"document.completed\",\"metadata\":{\"contract_id\":\"C-42\"}}}]";
    private static final String PD_SIGNATURE = "f534cefdb5ce20fdd0ce81d52e03afb8296d713a949f315f5766850d38b34ccb";

    @Test
    void docuSignMatchesTheWorkedExampleOnAnyOfItsHeadersAndNothingElse() {
        byte[] body = DS_BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(CallbackSignatures.docuSign(DS_KEY, body, List.of(DS_SIGNATURE))).isTrue();
        assertThat(CallbackSignatures.docuSign(DS_KEY, body, List.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", DS_SIGNATURE))).isTrue();
        assertThat(CallbackSignatures.docuSign(DS_KEY, DS_BODY.replace("envelope-completed", "envelope-voided")
                .getBytes(StandardCharsets.UTF_8), List.of(DS_SIGNATURE))).as("tampered body").isFalse();
        assertThat(CallbackSignatures.docuSign("another-key", body, List.of(DS_SIGNATURE))).as("wrong key").isFalse();
        assertThat(CallbackSignatures.docuSign(DS_KEY, body, List.of())).as("no header").isFalse();
    }

    @Test
    void dropboxSignMatchesTheWorkedExampleWhichCoversOnlyTimeAndType() {
        assertThat(CallbackSignatures.dropboxSign(DBX_KEY, "1768472430", "signature_request_all_signed", DBX_HASH)).isTrue();
        assertThat(CallbackSignatures.dropboxSign(DBX_KEY, "1768472430", "signature_request_declined", DBX_HASH)).as("other type").isFalse();
        assertThat(CallbackSignatures.dropboxSign(DBX_KEY, "1768472431", "signature_request_all_signed", DBX_HASH)).as("other time").isFalse();
        assertThat(CallbackSignatures.dropboxSign("wrong", "1768472430", "signature_request_all_signed", DBX_HASH)).as("wrong key").isFalse();
        assertThat(CallbackSignatures.dropboxSign(DBX_KEY, null, "signature_request_all_signed", DBX_HASH)).isFalse();
    }

    @Test
    void pandaDocMatchesTheWorkedExampleOverTheExactBytesOnly() {
        byte[] body = PD_BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(CallbackSignatures.pandaDoc(PD_KEY, body, PD_SIGNATURE)).isTrue();
        assertThat(CallbackSignatures.pandaDoc(PD_KEY, body, PD_SIGNATURE.toUpperCase())).as("hex case").isTrue();
        String pretty = PD_BODY.replace(",", ", ");
        assertThat(CallbackSignatures.pandaDoc(PD_KEY, pretty.getBytes(StandardCharsets.UTF_8), PD_SIGNATURE)).as("re-serialised").isFalse();
        assertThat(CallbackSignatures.pandaDoc("wrong", body, PD_SIGNATURE)).as("wrong key").isFalse();
        assertThat(CallbackSignatures.pandaDoc(PD_KEY, body, null)).isFalse();
    }
}
