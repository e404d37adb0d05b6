package io.sluice.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.event.Timestamps;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The named value transforms a mapping may use; each passes null through. */
public final class Transforms {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private static final Map<String, UnaryOperator<Object>> BY_NAME = Map.ofEntries(
            Map.entry("trim", v -> text(v).trim()),
            Map.entry("lowercase", v -> text(v).toLowerCase(Locale.ROOT)),
            Map.entry("uppercase", v -> text(v).toUpperCase(Locale.ROOT)),
            Map.entry("firstName", v -> nameParts(v)[0]),
            Map.entry("lastName", v -> nameParts(v)[1]),
            Map.entry("minorToMajor", v -> decimal(v).divide(HUNDRED)),
            Map.entry("majorToMinor", v -> decimal(v).multiply(HUNDRED).stripTrailingZeros()),
            Map.entry("date", Transforms::instant),
            Map.entry("membershipStage", v -> MembershipStageRule.stageOf(json(v, "membershipStage"))),
            Map.entry("string", Transforms::text));

    private Transforms() {
    }

    public static boolean exists(String name) {
        return BY_NAME.containsKey(name);
    }

    public static java.util.Set<String> names() {
        return new java.util.TreeSet<>(BY_NAME.keySet());
    }

    public static Object apply(String name, Object value) {
        return value == null ? null : BY_NAME.get(name).apply(value);
    }

    private static String text(Object v) {
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof JsonNode n) {
            return n.isValueNode() ? n.asText() : n.toString();
        }
        return v.toString();
    }

    private static String[] nameParts(Object v) {
        String full = text(v).trim();
        int space = full.indexOf(' ');
        return space < 0 ? new String[]{full, ""} : new String[]{full.substring(0, space), full.substring(space + 1).trim()};
    }

    private static BigDecimal decimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        try {
            return new BigDecimal(text(v).trim());
        } catch (NumberFormatException e) {
            throw new MappingException("'" + text(v) + "' is not a number");
        }
    }

    private static Instant instant(Object v) {
        if (v instanceof Instant i) {
            return i;
        }
        if (v instanceof BigDecimal d) {
            return Instant.ofEpochSecond(d.longValue());
        }
        Instant parsed = Timestamps.parse(text(v));
        if (parsed == null) {
            throw new MappingException("'" + text(v) + "' is not a date (ISO-8601 or Unix seconds)");
        }
        return parsed;
    }

    private static JsonNode json(Object v, String transform) {
        if (v instanceof JsonNode n && n.isObject()) {
            return n;
        }
        throw new MappingException(transform + " needs an object (the membership), got '" + text(v) + "'");
    }
}
