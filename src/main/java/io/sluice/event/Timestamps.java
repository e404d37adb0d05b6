package io.sluice.event;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Reads Whop timestamps, which arrive as ISO-8601 strings and, per some docs, as Unix seconds. */
public final class Timestamps {

    private Timestamps() {
    }

    /** The first of {@code nodes} that holds a readable time, or null. */
    public static Instant firstOf(JsonNode... nodes) {
        for (JsonNode node : nodes) {
            Instant t = parse(node);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** The earliest and latest times Sluice reads: what every database it stores to can hold. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** A time, or null when the node holds none it can read (absent, not a time, or outside years 1 to 9999). */
    public static Instant parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return node.canConvertToLong() ? ofEpochSecond(node.longValue()) : null;
        }
        return parse(node.asText());
    }

    /** True when the node holds a number or a date-time, but one outside the years 1 to 9999 (say, milliseconds). */
    public static boolean outOfRange(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || parse(node) != null) {
            return false;
        }
        if (node.isNumber()) {
            return true;
        }
        String t = node.asText().trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return true;
        }
        try {
            OffsetDateTime.parse(t);
            return true; // it parses, so only its range can be wrong
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Instant ofEpochSecond(long seconds) {
        if (seconds < EARLIEST.getEpochSecond() || seconds > LATEST.getEpochSecond()) {
            return null;
        }
        return Instant.ofEpochSecond(seconds);
    }

    private static Instant inRange(Instant t) {
        return t.isBefore(EARLIEST) || t.isAfter(LATEST) ? null : t;
    }

    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.chars().allMatch(Character::isDigit)) {
                return ofEpochSecond(Long.parseLong(t));
            }
            return inRange(OffsetDateTime.parse(t).toInstant());
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return null;
        }
    }
}
