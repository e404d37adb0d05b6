package io.sluice.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.mapping.CrmChange;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Applies a {@link Mapping} to one Whop event: no I/O, no side effects. */
public final class MappingEngine {

    private MappingEngine() {
    }

    /**
     * @param envelope the whole webhook body ({@code id}, {@code type}, {@code timestamp}, {@code data}, ...)
     * @param fallbackTime the time to order by when the mapping's {@code updatedAt} finds none
     */
    public static CrmChange map(Mapping mapping, String eventId, String eventType, JsonNode envelope, Instant fallbackTime) {
        EventGroup group = mapping.groupFor(eventType).orElseThrow(() ->
                new MappingException("event type '" + eventType + "' is not mapped in " + mapping.file()));
        Instant updatedAt = null;
        if (group.updatedAt() != null) {
            Object value = value(mapping, group.updatedAt(), "updatedAt", envelope);
            updatedAt = value == null ? null : (Instant) Transforms.apply("date", value);
        }
        if (updatedAt == null) {
            updatedAt = fallbackTime;
        }
        return new CrmChange(eventId, eventType, group.name(), updatedAt,
                object(mapping, group.person(), envelope),
                object(mapping, group.opportunity(), envelope),
                object(mapping, group.note(), envelope));
    }

    private static Map<String, Object> object(Mapping mapping, Map<String, FieldSpec> fields, JsonNode envelope) {
        if (fields.isEmpty()) {
            return null;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (var field : fields.entrySet()) {
            Object value = value(mapping, field.getValue(), field.getKey(), envelope);
            if (value == null || (value instanceof String text && text.isBlank())) {
                // Whop said nothing: leave the CRM's value alone, unless the mapping says the field may be cleared
                if (field.getValue().clear()) {
                    result.put(field.getKey(), null);
                }
                continue;
            }
            result.put(field.getKey(), value);
        }
        return result;
    }

    private static Object value(Mapping mapping, FieldSpec spec, String fieldName, JsonNode envelope) {
        Object value;
        if (spec.constant() != null) {
            value = spec.constant();
        } else if (spec.template() != null) {
            value = render(mapping, spec.template(), envelope);
        } else {
            value = null;
            for (String path : spec.paths()) {
                value = read(envelope, path);
                if (value != null) {
                    break;
                }
            }
        }
        for (String transform : spec.transforms()) {
            value = apply(transform, value, fieldName, spec);
        }
        if (value != null && spec.valueMap() != null) {
            value = lookup(mapping, spec.valueMap(), value, fieldName);
        }
        if (value == null) {
            value = spec.defaultValue();
        }
        if (value == null && spec.required()) {
            throw new MappingException("required field '" + fieldName + "' has no value (" + spec.describeSource()
                    + ", " + mapping.file() + ":" + spec.line() + ")");
        }
        return value;
    }

    private static Object apply(String transform, Object value, String fieldName, FieldSpec spec) {
        try {
            return Transforms.apply(transform, value);
        } catch (MappingException e) {
            throw new MappingException("field '" + fieldName + "', transform " + transform + ": " + e.getMessage()
                    + " (line " + spec.line() + ")");
        }
    }

    private static String render(Mapping mapping, Template template, JsonNode envelope) {
        StringBuilder out = new StringBuilder();
        for (Template.Part part : template.parts()) {
            if (part.literal() != null) {
                out.append(part.literal());
                continue;
            }
            Object value = read(envelope, part.path());
            for (String step : part.steps()) {
                if (value == null) {
                    break;
                }
                value = Transforms.exists(step) ? Transforms.apply(step, value) : lookup(mapping, step, value, part.path());
            }
            if (value instanceof BigDecimal d) {
                out.append(d.toPlainString());
            } else if (value != null) {
                out.append(value);
            }
        }
        return out.toString().trim();
    }

    private static Object lookup(Mapping mapping, String mapName, Object value, String fieldName) {
        Map<String, String> map = mapping.valueMaps().get(mapName);
        String mapped = map.get(value.toString());
        if (mapped == null) {
            throw new MappingException("field '" + fieldName + "': value '" + value + "' has no entry in value map '"
                    + mapName + "' of " + mapping.file());
        }
        return mapped;
    }

    /** A dotted path into the event; objects are returned as JSON (for membershipStage), scalars as Java values. */
    static Object read(JsonNode root, String path) {
        JsonNode node = root;
        if (!".".equals(path) && !path.isEmpty()) {
            for (String segment : path.split("\\.")) {
                node = node.path(segment);
            }
        }
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            if (!node.isBigDecimal() && !node.isIntegralNumber() && !Double.isFinite(node.doubleValue())) {
                throw new MappingException("the number at '" + path + "' is out of range");
            }
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        return node;
    }
}
