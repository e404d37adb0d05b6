package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.Uuid5;
import io.sluice.http.ApiRequest;
import io.sluice.mapping.CrmFieldSchema;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The Twenty REST requests for a change (docs/connectors/twenty.md): batch upserts ({@code ?upsert=true}) of
 * people by lower-cased primary email, and of opportunities, notes and noteTargets by a UUIDv5 id derived from the
 * Whop key. Missing values are left out, so they never blank what the CRM holds. Mapped fields Twenty has no
 * composite for (say {@code whopUserId}, a custom field) are sent under their own name.
 */
final class TwentyRequests {

    static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "firstName", "lastName", "jobTitle", "city", "whopUserId"),
            Set.of("membershipId", "name", "amount", "currency", "stage", "closeDate", "whopMembershipId"),
            Set.of("externalId", "title", "body", "membershipId"),
            java.util.regex.Pattern.compile("[a-z][A-Za-z0-9]{0,62}"), "a Twenty field's name (camelCase, e.g. a custom field whopLeadScore)");

    /** Mapped fields Twenty takes inside a composite or as the record's key, not under their own name. */
    static final Set<String> PERSON_COMPOSED = Set.of("email", "firstName", "lastName");
    static final Set<String> OPPORTUNITY_COMPOSED = Set.of("membershipId", "amount", "currency", "closeDate");
    static final Set<String> NOTE_COMPOSED = Set.of("externalId", "title", "body", "membershipId");

    private final ObjectMapper json;
    private final String noteTargetPersonField;
    private final String noteTargetOpportunityField;

    TwentyRequests(ObjectMapper json, String noteTargetPersonField, String noteTargetOpportunityField) {
        this.json = json;
        this.noteTargetPersonField = noteTargetPersonField;
        this.noteTargetOpportunityField = noteTargetOpportunityField;
    }


    static String opportunityId(String membershipId) {
        return Uuid5.forObject("opportunity", membershipId);
    }

    static String noteId(String externalId) {
        return Uuid5.forObject("note", externalId);
    }

    ApiRequest person(Map<String, Object> person, String email) {
        return upsert("person.upsert", "people", personRecord(person, email));
    }

    ObjectNode personRecord(Map<String, Object> person, String email) {
        ObjectNode record = json.createObjectNode();
        ObjectNode name = json.createObjectNode();
        for (String part : new String[]{"firstName", "lastName"}) {
            if (person.containsKey(part)) {
                Object value = person.get(part);
                name.put(part, value == null ? "" : value.toString()); // null: cleared; Twenty keeps empty text as ""
            }
        }
        if (!name.isEmpty()) {
            record.set("name", name);
        }
        record.putObject("emails").put("primaryEmail", email);
        passThrough(record, person, PERSON_COMPOSED);
        return record;
    }

    ApiRequest opportunity(Map<String, Object> opportunity, String membershipId, String personId) {
        return upsert("opportunity.upsert", "opportunities", opportunityRecord(opportunity, membershipId, personId));
    }

    ObjectNode opportunityRecord(Map<String, Object> opportunity, String membershipId, String personId) {
        ObjectNode record = json.createObjectNode();
        record.put("id", opportunityId(membershipId));
        Object amount = opportunity.get("amount");
        Object currency = opportunity.get("currency");
        if (amount != null && currency != null) {
            BigDecimal micros = new BigDecimal(amount.toString()).movePointRight(6).setScale(0, RoundingMode.HALF_UP);
            record.putObject("amount").put("amountMicros", micros.longValueExact()).put("currencyCode", currency.toString());
        }
        Object closeDate = opportunity.get("closeDate");
        if (closeDate != null) {
            record.put("closeDate", closeDate instanceof Instant i ? i.toString() : closeDate.toString());
        } else if (opportunity.containsKey("closeDate")) {
            record.putNull("closeDate"); // the mapping clears it
        }
        if (amount == null && opportunity.containsKey("amount")) {
            record.putNull("amount");
        }
        if (personId != null) {
            record.put("pointOfContactId", personId);
        }
        passThrough(record, opportunity, OPPORTUNITY_COMPOSED);
        return record;
    }

    ApiRequest note(Map<String, Object> note, String externalId) {
        return upsert("note.upsert", "notes", noteRecord(note, externalId));
    }

    ObjectNode noteRecord(Map<String, Object> note, String externalId) {
        ObjectNode record = json.createObjectNode();
        record.put("id", noteId(externalId));
        putIfPresent(record, "title", note.get("title"));
        if (note.containsKey("title") && note.get("title") == null) {
            record.putNull("title"); // the mapping clears it
        }
        Object body = note.get("body");
        if (body != null || note.containsKey("body")) {
            record.putObject("bodyV2").put("markdown", body == null ? "" : body.toString());
        }
        passThrough(record, note, NOTE_COMPOSED);
        return record;
    }

    /** Links the note to the person and, when known, the opportunity; ids derive from the note's key. */
    ApiRequest noteTargets(String externalId, String personId, String opportunityId) {
        ArrayNode targets = noteTargetRecords(externalId, personId, opportunityId);
        return targets.isEmpty() ? null : new ApiRequest("noteTarget.upsert", "POST", "/rest/batch/noteTargets", "upsert=true", targets);
    }

    ArrayNode noteTargetRecords(String externalId, String personId, String opportunityId) {
        ArrayNode targets = json.createArrayNode();
        if (personId != null) {
            targets.addObject().put("id", Uuid5.forObject("noteTarget", externalId + ":person"))
                    .put("noteId", noteId(externalId)).put(noteTargetPersonField, personId);
        }
        if (opportunityId != null) {
            targets.addObject().put("id", Uuid5.forObject("noteTarget", externalId + ":opportunity"))
                    .put("noteId", noteId(externalId)).put(noteTargetOpportunityField, opportunityId);
        }
        return targets;
    }

    /** One batch upsert of several records of a kind ({@code people}, {@code opportunities}, {@code notes}, {@code noteTargets}). */
    ApiRequest batch(String operation, String plural, java.util.List<? extends com.fasterxml.jackson.databind.JsonNode> records) {
        ArrayNode batch = json.createArrayNode();
        records.forEach(batch::add);
        return new ApiRequest(operation, "POST", "/rest/batch/" + plural, "upsert=true", batch);
    }

    private ApiRequest upsert(String operation, String plural, ObjectNode record) {
        ArrayNode batch = json.createArrayNode().add(record);
        return new ApiRequest(operation, "POST", "/rest/batch/" + plural, "upsert=true", batch);
    }

    private void passThrough(ObjectNode record, Map<String, Object> fields, Set<String> composed) {
        fields.forEach((name, value) -> {
            if (composed.contains(name)) {
                return;
            }
            if (value == null) {
                record.putNull(name); // a field the mapping clears
            } else {
                putIfPresent(record, name, value);
            }
        });
    }

    private void putIfPresent(ObjectNode node, String name, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof BigDecimal d) {
            node.put(name, d);
        } else if (value instanceof Boolean b) {
            node.put(name, b);
        } else if (value instanceof Instant i) {
            node.put(name, i.toString());
        } else {
            node.put(name, value.toString());
        }
    }
}
