package io.sluice.kafka;

import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;

import java.time.Instant;

/**
 * An accepted event as it travels on Kafka (JSON; the payload, the exact bytes received, in base64): the fields of
 * {@link CanonicalEvent}, named here so that the wire format changes only on purpose, and the format's number. A
 * release that changes the format in a way an earlier one cannot read raises the number: an earlier release still
 * consuming (during a rolling upgrade or a rollback) then leaves such records for a release that reads them.
 */
record EventRecord(int format, String id, String source, String type, Instant occurredAt, String subjectKey, byte[] payload,
                   EventStatus status, String changeKey, String personEmail) {

    /** The format this release writes and reads; a record without one is of this format. */
    static final int FORMAT = 1;

    static EventRecord of(CanonicalEvent event) {
        return new EventRecord(FORMAT, event.id(), event.source(), event.type(), event.occurredAt(), event.subjectKey(),
                event.payload(), event.status(), event.changeKey(), event.personEmail());
    }

    CanonicalEvent event() {
        return new CanonicalEvent(id, source, type, occurredAt, subjectKey, payload, status, changeKey, personEmail);
    }

    /** What a storable event lacks, or null when nothing. */
    String missing() {
        if (id == null || id.isBlank()) {
            return "no id";
        }
        if (source == null || type == null || status == null) {
            return "no source, type or status";
        }
        return payload == null ? "no payload" : null;
    }

    /**
     * What the inbox's columns would refuse in this event (the lengths of event_log's columns; a NUL character, which
     * PostgreSQL's text never holds), or null when nothing. On the JDBC inbox the database refuses it before the
     * answer (400); on Kafka it is checked before the record is produced, so that the sender hears the same.
     */
    String unstorable() {
        String problem = tooLongOrNul("id", id, 255);
        problem = problem != null ? problem : tooLongOrNul("source", source, 40);
        problem = problem != null ? problem : tooLongOrNul("type", type, 160);
        problem = problem != null ? problem : tooLongOrNul("subject", subjectKey, 255);
        problem = problem != null ? problem : tooLongOrNul("change key", changeKey, 255);
        return problem != null ? problem : tooLongOrNul("person email", personEmail, 320);
    }

    private static String tooLongOrNul(String field, String value, int maxLength) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            return "the event's " + field + " is longer than " + maxLength + " characters";
        }
        return value.indexOf('\u0000') >= 0 ? "the event's " + field + " holds a NUL character" : null;
    }

    /** The record's key: its subject, so that one subject's events share a partition and keep their order. */
    String key() {
        return subjectKey != null ? subjectKey : id;
    }
}
