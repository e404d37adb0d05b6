package io.sluice.whop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.event.EventTypeCatalog;
import io.sluice.event.Timestamps;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Turns a pulled Whop record into a canonical event shaped like a webhook ({@code id}, {@code type},
 * {@code timestamp}, {@code data}), so the same mapping applies to both. The event id is
 * {@code <resource>:<record id>:<updated_at>}: pulling an unchanged record again yields the same id and stores
 * nothing new, and its change key matches the webhook that carried the same change.
 */
@Component
public class PulledRecordEvents {

    public static final String SOURCE = "whop-pull";

    private final ObjectMapper objectMapper;
    private final EventTypeCatalog catalog;

    public PulledRecordEvents(ObjectMapper objectMapper, EventTypeCatalog catalog) {
        this.objectMapper = objectMapper;
        this.catalog = catalog;
    }

    /** A record that cannot become an event (no id, say), with the reason. */
    public static class UnusableRecordException extends RuntimeException {
        public UnusableRecordException(String message) {
            super(message);
        }
    }

    public CanonicalEvent toEvent(WhopResource resource, JsonNode record, Instant pulledAt) {
        if (!record.isObject()) {
            throw new UnusableRecordException("a " + resource.singular() + " record is not a JSON object");
        }
        JsonNode idNode = record.path("id");
        if (!idNode.isTextual() || idNode.asText().isBlank() || idNode.asText().length() > 150) {
            throw new UnusableRecordException("a " + resource.singular() + " record has no usable string 'id'");
        }
        String id = idNode.asText();
        if (Timestamps.outOfRange(record.path("updated_at")) || Timestamps.outOfRange(record.path("created_at"))) {
            throw new UnusableRecordException("the " + resource.singular() + " record " + id
                    + " has an 'updated_at' or 'created_at' that is not a time between the years 1 and 9999");
        }
        Instant updatedAt = Timestamps.parse(record.path("updated_at"));
        Instant occurredAt = updatedAt != null ? updatedAt : Timestamps.firstOf(record.path("created_at"));
        String version = updatedAt != null ? updatedAt.toString() : "sha256-" + digest(record);
        String eventId = resource.singular() + ":" + id + ":" + version;
        ObjectNode envelope = objectMapper.createObjectNode();
        envelope.put("id", eventId);
        envelope.put("type", resource.eventType());
        envelope.put("timestamp", pulledAt.toString());
        envelope.put("source", SOURCE);
        envelope.set("data", record);
        byte[] payload;
        try {
            payload = objectMapper.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new UnusableRecordException("record " + id + " cannot be serialised: " + e.getOriginalMessage());
        }
        EventStatus status = catalog.handles(resource.eventType()) ? EventStatus.RECEIVED : EventStatus.IGNORED;
        return new CanonicalEvent(eventId, SOURCE, resource.eventType(), occurredAt != null ? occurredAt : pulledAt, id,
                payload, status, CanonicalEvent.whopChangeKey(id, updatedAt), CanonicalEvent.whopPersonEmail(record));
    }

    /** A short content digest, the version of a record that carries no update time. */
    private String digest(JsonNode record) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(objectMapper.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
