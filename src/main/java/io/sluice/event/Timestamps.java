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

    public static Instant parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return Instant.ofEpochSecond(node.asLong());
        }
        return parse(node.asText());
    }

    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochSecond(Long.parseLong(t));
            }
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            return null;
        }
    }
}
