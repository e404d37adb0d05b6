package io.sluice.esign.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.esign.CallbackSignatures;
import io.sluice.esign.ContractStep;
import io.sluice.esign.ESignProperties;
import io.sluice.webhook.InvalidWebhookPayloadException;
import io.sluice.webhook.WebhookRejection;
import org.apache.camel.Message;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Dropbox Sign callbacks: {@code multipart/form-data} with the event in the field
 * {@code json} (a raw JSON body is read too), authenticated by {@code event.event_hash}, the HMAC of
 * {@code event_time + event_type} under the API key. The hash does not cover the rest of the body, so processing
 * re-fetches the signature request before it believes what the event says. The answer must be exactly
 * {@code Hello API Event Received}.
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "dropboxsign")
public class DropboxSignCallbacks implements CallbackScheme {

    /** The metadata key that carries Sluice's contract id (metadata is echoed in every event). */
    public static final String CONTRACT_KEY = "sluice_contract_id";
    public static final String ACKNOWLEDGEMENT = "Hello API Event Received";
    private static final Map<String, ContractStep> STEPS = Map.of(
            "signature_request_sent", ContractStep.SENT,
            "signature_request_viewed", ContractStep.VIEWED,
            "signature_request_signed", ContractStep.SIGNED,
            "signature_request_all_signed", ContractStep.COMPLETED,
            "signature_request_declined", ContractStep.DECLINED,
            "signature_request_canceled", ContractStep.VOIDED,
            "signature_request_expired", ContractStep.EXPIRED);

    private final String apiKey;
    private final ObjectMapper json;

    public DropboxSignCallbacks(ESignProperties properties, ObjectMapper json) {
        this.apiKey = properties.dropboxsign().apiKey();
        this.json = json;
    }

    @Override
    public String provider() {
        return "dropboxsign";
    }

    @Override
    public String acknowledgement() {
        return ACKNOWLEDGEMENT;
    }

    @Override
    public int successStatus(boolean duplicate) {
        return 200; // anything else counts as a failed delivery
    }

    @Override
    public void verify(Message request, byte[] body) {
        byte[] eventJson = eventJson(request, body);
        JsonNode event = CallbackJson.read(json, eventJson, "Dropbox Sign event").path("event");
        String time = CallbackJson.text(event.path("event_time"));
        String type = CallbackJson.text(event.path("event_type"));
        String hash = CallbackJson.text(event.path("event_hash"));
        if (hash == null) {
            throw WebhookRejection.unauthorized("missing_header", "Dropbox Sign event has no event.event_hash");
        }
        if (!CallbackSignatures.dropboxSign(apiKey, time, type, hash)) {
            throw WebhookRejection.unauthorized("bad_signature", "event.event_hash does not match event_time + event_type for the configured API key");
        }
    }

    @Override
    public List<CallbackEvent> read(Message request, byte[] body) {
        return List.of(parse(eventJson(request, body)));
    }

    /** The {@code json} form field of a multipart delivery, else the body itself when it is JSON. */
    private static byte[] eventJson(Message request, byte[] body) {
        Object field = request.getHeader("json");
        if (field instanceof String text && !text.isBlank()) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (field instanceof byte[] bytes && bytes.length > 0) {
            return bytes;
        }
        String contentType = request.getHeader("Content-Type", String.class);
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            throw new InvalidWebhookPayloadException(null, "multipart Dropbox Sign callback has no form field 'json'");
        }
        return body;
    }

    @Override
    public CallbackEvent parse(byte[] eventJson) {
        JsonNode root = CallbackJson.read(json, eventJson, "Dropbox Sign event");
        JsonNode event = root.path("event");
        String time = CallbackJson.text(event.path("event_time"));
        String type = CallbackJson.text(event.path("event_type"));
        if (time == null || type == null) {
            throw new InvalidWebhookPayloadException(null, "Dropbox Sign event has no event.event_time or event.event_type");
        }
        JsonNode request = root.path("signature_request");
        String requestId = CallbackJson.text(request.path("signature_request_id"));
        String signatureId = CallbackJson.text(event.path("event_metadata").path("related_signature_id"));
        ContractStep step = requestId == null ? null : STEPS.get(type);
        JsonNode signature = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        for (JsonNode s : request.path("signatures")) {
            if (signatureId != null && signatureId.equals(CallbackJson.text(s.path("signature_id")))) {
                signature = s;
            }
        }
        String eventId = (requestId == null ? type : requestId + ":" + type) + ":" + time + (signatureId == null ? "" : ":" + signatureId);
        Instant at = time.chars().allMatch(Character::isDigit) ? Instant.ofEpochSecond(Long.parseLong(time)) : null;
        return new CallbackEvent(eventId, type, requestId, CallbackJson.text(request.path("metadata").path(CONTRACT_KEY)), step,
                signatureId, CallbackJson.text(signature.path("signer_email_address")), CallbackJson.text(signature.path("signer_name")),
                CallbackJson.text(signature.path("decline_reason")), at, eventJson);
    }
}
