package io.sluice.inbox;

import io.sluice.event.EventStatus;

import java.time.Instant;

/** An event as the event log holds it. */
public record StoredEvent(String id, String source, String type, String subjectKey, Instant occurredAt,
                          EventStatus status, int attempts, String lastError, byte[] payload,
                          Instant receivedAt, Instant updatedAt, String changeKey, String personEmail) {

    /** What the idempotent consumer remembers: the change when known, else the delivery. */
    public String idempotencyKey() {
        return changeKey == null ? id : changeKey;
    }
}
