package io.sluice.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.event.EventTypeCatalog;
import io.sluice.event.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Instant;

/** Camel step: turns a verified Whop webhook body into a {@link CanonicalEvent}, or rejects it with 400. */
@Component("whopEventParser")
public class WhopEventParser {

    /** The source of events Whop delivered as webhooks. */
    public static final String SOURCE = "whop";

    private final ObjectMapper objectMapper;
    private final EventTypeCatalog catalog;

    public WhopEventParser(ObjectMapper objectMapper, EventTypeCatalog catalog) {
        this.objectMapper = objectMapper;
        this.catalog = catalog;
    }

    @Handler
    public CanonicalEvent parse(Exchange exchange) {
        String deliveryId = exchange.getMessage().getHeader("webhook-id", String.class);
        if (deliveryId.length() > 200) {
            throw new InvalidWebhookPayloadException(deliveryId.substring(0, 200), "webhook-id is longer than 200 characters");
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        JsonNode root = readJson(deliveryId, body);
        JsonNode type = root.path("type");
        if (!type.isTextual() || type.asText().isBlank()) {
            throw new InvalidWebhookPayloadException(deliveryId, "body has no string field 'type'");
        }
        JsonNode data = root.path("data");
        if (!data.isObject()) {
            throw new InvalidWebhookPayloadException(deliveryId, "body has no object field 'data'");
        }
        String eventType = type.asText();
        if (eventType.length() > 160) {
            throw new InvalidWebhookPayloadException(deliveryId, "'type' is longer than 160 characters");
        }
        for (var field : java.util.Map.of("data.updated_at", data.path("updated_at"), "timestamp", root.path("timestamp")).entrySet()) {
            if (Timestamps.outOfRange(field.getValue())) {
                throw new InvalidWebhookPayloadException(deliveryId, "'" + field.getKey()
                        + "' is not a time between the years 1 and 9999 (ISO-8601, or Unix seconds)");
            }
        }
        Instant occurredAt = Timestamps.firstOf(data.path("updated_at"), root.path("timestamp"));
        if (occurredAt == null) {
            occurredAt = Instant.ofEpochSecond(Long.parseLong(
                    exchange.getMessage().getHeader("webhook-timestamp", String.class).trim()));
        }
        String subjectKey = data.path("id").isValueNode() ? data.path("id").asText() : null;
        // the change key (whop:<id>:<updated_at>) must fit its column: 200 characters leave room for the time
        if (subjectKey != null && subjectKey.length() > 200) {
            throw new InvalidWebhookPayloadException(deliveryId, "'data.id' is longer than 200 characters");
        }
        EventStatus status = catalog.handles(eventType) ? EventStatus.RECEIVED : EventStatus.IGNORED;
        String changeKey = CanonicalEvent.whopChangeKey(subjectKey, Timestamps.parse(data.path("updated_at")));
        return new CanonicalEvent(deliveryId, SOURCE, eventType, occurredAt, subjectKey, body, status, changeKey,
                CanonicalEvent.whopPersonEmail(data));
    }

    private JsonNode readJson(String deliveryId, byte[] body) {
        if (body.length == 0) {
            throw new InvalidWebhookPayloadException(deliveryId, "body is empty; expected a JSON object");
        }
        try {
            JsonNode root = objectMapper.readTree(body);
            if (root == null || !root.isObject()) {
                throw new InvalidWebhookPayloadException(deliveryId, "body is not a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidWebhookPayloadException(deliveryId, "body is not valid JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new InvalidWebhookPayloadException(deliveryId, "body is not valid JSON");
        }
    }
}
