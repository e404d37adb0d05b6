package io.sluice.esign.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.esign.CallbackSignatures;
import io.sluice.esign.ContractStep;
import io.sluice.esign.ESignProperties;
import io.sluice.event.Timestamps;
import io.sluice.webhook.InvalidWebhookPayloadException;
import io.sluice.webhook.WebhookRejection;
import org.apache.camel.Message;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DocuSign Connect callbacks (JSON SIM): signed by {@code X-DocuSign-Signature-N}, one per
 * active Connect key, any of which may match. An event is identified by envelope, event name, generation time and
 * recipient, which Connect keeps on its redeliveries.
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "docusign")
public class DocuSignCallbacks implements CallbackScheme {

    /** The envelope custom field that carries Sluice's contract id. */
    public static final String CONTRACT_FIELD = "sluiceContractId";
    private static final Map<String, ContractStep> STEPS = Map.of(
            "envelope-sent", ContractStep.SENT,
            "envelope-delivered", ContractStep.VIEWED,
            "recipient-delivered", ContractStep.VIEWED,
            "recipient-completed", ContractStep.SIGNED,
            "envelope-completed", ContractStep.COMPLETED,
            "envelope-declined", ContractStep.DECLINED,
            "recipient-declined", ContractStep.DECLINED,
            "envelope-voided", ContractStep.VOIDED);

    private final List<String> keys;
    private final ObjectMapper json;

    public DocuSignCallbacks(ESignProperties properties, ObjectMapper json) {
        this.keys = properties.docusign().connectHmacKeys();
        this.json = json;
    }

    @Override
    public String provider() {
        return "docusign";
    }

    @Override
    public int successStatus(boolean duplicate) {
        return 200; // Connect counts only a 200 as delivered
    }

    @Override
    public void verify(Message request, byte[] body) {
        List<String> signatures = new ArrayList<>();
        for (var header : request.getHeaders().entrySet()) {
            if (header.getKey().toLowerCase(Locale.ROOT).matches("x-docusign-signature-\\d+") && header.getValue() != null) {
                signatures.add(header.getValue().toString());
            }
        }
        if (signatures.isEmpty()) {
            throw WebhookRejection.unauthorized("missing_header", "missing header X-DocuSign-Signature-1 (turn on HMAC for this Connect configuration)");
        }
        boolean match = false;
        for (String key : keys) {
            match |= CallbackSignatures.docuSign(key, body, signatures);
        }
        if (!match) {
            throw WebhookRejection.unauthorized("bad_signature", "no X-DocuSign-Signature-N header matches the body for any configured Connect key");
        }
    }

    @Override
    public List<CallbackEvent> read(Message request, byte[] body) {
        return List.of(parse(body));
    }

    @Override
    public CallbackEvent parse(byte[] body) {
        JsonNode root = CallbackJson.read(json, body, "DocuSign Connect body");
        String event = CallbackJson.text(root.path("event"));
        JsonNode data = root.path("data");
        String envelopeId = CallbackJson.text(data.path("envelopeId"));
        if (event == null || envelopeId == null) {
            throw new InvalidWebhookPayloadException(null, "DocuSign Connect body has no 'event' or no 'data.envelopeId' "
                    + "(configure Connect with the JSON SIM event model, restv2.1)");
        }
        String generated = CallbackJson.text(root.path("generatedDateTime"));
        String recipientId = CallbackJson.text(data.path("recipientId"));
        JsonNode summary = data.path("envelopeSummary");
        JsonNode signer = signer(summary, recipientId, "recipient-declined".equals(event) || "envelope-declined".equals(event));
        ContractStep step = STEPS.get(event);
        String reason = null;
        if (step == ContractStep.DECLINED) {
            reason = CallbackJson.text(signer.path("declinedReason"));
        } else if (step == ContractStep.VOIDED) {
            reason = CallbackJson.text(summary.path("voidedReason"));
            // DocuSign reports an expiry as a void; its reason tells them apart
            if (reason != null && reason.toLowerCase(Locale.ROOT).contains("expired")) {
                step = ContractStep.EXPIRED;
            }
        }
        String eventId = envelopeId + ":" + event + ":" + (generated == null ? "" : generated) + (recipientId == null ? "" : ":" + recipientId);
        return new CallbackEvent(eventId, event, envelopeId, contractId(summary), step,
                recipientId == null ? CallbackJson.text(signer.path("recipientId")) : recipientId,
                CallbackJson.text(signer.path("email")), CallbackJson.text(signer.path("name")), reason,
                Timestamps.parse(generated), body);
    }

    /** The signer the event is about: by recipient id, else (for an envelope-level decline) the one who declined. */
    private static JsonNode signer(JsonNode summary, String recipientId, boolean decline) {
        for (JsonNode s : summary.path("recipients").path("signers")) {
            if (recipientId != null ? recipientId.equals(CallbackJson.text(s.path("recipientId")))
                    : decline && "declined".equalsIgnoreCase(CallbackJson.text(s.path("status")))) {
                return s;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String contractId(JsonNode summary) {
        for (JsonNode field : summary.path("customFields").path("textCustomFields")) {
            if (CONTRACT_FIELD.equals(CallbackJson.text(field.path("name")))) {
                return CallbackJson.text(field.path("value"));
            }
        }
        return null;
    }
}
