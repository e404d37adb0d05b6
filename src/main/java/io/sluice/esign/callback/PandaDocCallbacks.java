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

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * PandaDoc webhooks: a JSON array of events, signed by {@code ?signature=}, the hex HMAC
 * of the raw body under the subscription's shared key. {@code X-PandaDoc-Webhook-Event-Id} stays the same across
 * PandaDoc's retries; events are identified by it (and their place in the array).
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "pandadoc")
public class PandaDocCallbacks implements CallbackScheme {

    /** The document metadata key that carries Sluice's contract id. */
    public static final String CONTRACT_KEY = "sluice_contract_id";
    private static final Map<String, ContractStep> STATES = Map.of(
            "document.sent", ContractStep.SENT,
            "document.viewed", ContractStep.VIEWED,
            "document.completed", ContractStep.COMPLETED,
            "document.declined", ContractStep.DECLINED,
            "document.rejected", ContractStep.DECLINED,
            "document.voided", ContractStep.VOIDED);

    private final String sharedKey;
    private final ObjectMapper json;

    public PandaDocCallbacks(ESignProperties properties, ObjectMapper json) {
        this.sharedKey = properties.pandadoc().webhookKey();
        this.json = json;
    }

    @Override
    public String provider() {
        return "pandadoc";
    }

    @Override
    public void verify(Message request, byte[] body) {
        String signature = request.getHeader("signature", String.class);
        if (signature == null || signature.isBlank()) {
            throw WebhookRejection.unauthorized("missing_header", "missing query parameter signature (PandaDoc adds ?signature= to the webhook URL)");
        }
        if (!CallbackSignatures.pandaDoc(sharedKey, body, signature)) {
            throw WebhookRejection.unauthorized("bad_signature", "signature does not match the body for the configured shared key");
        }
    }

    @Override
    public List<CallbackEvent> read(Message request, byte[] body) {
        JsonNode root = CallbackJson.read(json, body, "PandaDoc webhook body");
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(items::add);
        } else {
            items.add(root);
        }
        if (items.isEmpty()) {
            throw new InvalidWebhookPayloadException(null, "PandaDoc webhook body is an empty array");
        }
        String deliveryId = request.getHeader("X-PandaDoc-Webhook-Event-Id", String.class);
        if (deliveryId == null || deliveryId.isBlank()) {
            deliveryId = "sha256-" + sha256(body); // the same body redelivered gets the same id
        }
        List<CallbackEvent> events = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            CallbackEvent event = parse(CallbackJson.bytes(json, items.get(i)));
            String id = items.size() == 1 ? deliveryId.trim() : deliveryId.trim() + "#" + i;
            events.add(new CallbackEvent(id, event.type(), event.providerId(), event.contractId(), event.step(), event.actorId(),
                    event.actorEmail(), event.actorName(), event.reason(), event.occurredAt(), event.json()));
        }
        return events;
    }

    @Override
    public CallbackEvent parse(byte[] eventJson) {
        JsonNode item = CallbackJson.read(json, eventJson, "PandaDoc event");
        String event = CallbackJson.text(item.path("event"));
        JsonNode data = item.path("data");
        String documentId = CallbackJson.text(data.path("id"));
        if (event == null || documentId == null) {
            throw new InvalidWebhookPayloadException(null, "PandaDoc event has no 'event' or no 'data.id'");
        }
        String status = CallbackJson.text(data.path("status"));
        ContractStep step = null;
        String type = event;
        String actorEmail = null;
        String actorName = null;
        if ("document_state_changed".equals(event) && status != null) {
            type = status;
            step = STATES.get(status);
        } else if ("recipient_completed".equals(event)) {
            step = ContractStep.SIGNED;
            JsonNode by = data.path("action_by");
            actorEmail = by.isTextual() ? by.asText() : CallbackJson.text(by.path("email"));
            String name = ((CallbackJson.text(by.path("first_name")) == null ? "" : CallbackJson.text(by.path("first_name"))) + " "
                    + (CallbackJson.text(by.path("last_name")) == null ? "" : CallbackJson.text(by.path("last_name")))).trim();
            actorName = name.isEmpty() ? null : name;
        }
        return new CallbackEvent(null, type, documentId, CallbackJson.text(data.path("metadata").path(CONTRACT_KEY)), step, null,
                actorEmail, actorName, null, Timestamps.firstOf(data.path("action_date"), data.path("date_modified")), eventJson);
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
