package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiRequest;
import io.sluice.mapping.CrmFieldSchema;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HubSpot requests for a change: contacts upserted by email and deals by the unique
 * membership property ({@code batch/upsert} with one input), the default deal→contact association (v4), notes
 * with {@code hs_timestamp} and associations to the contact (202) and deal (214). Mapping fields are HubSpot
 * property names; missing values are left out, so they never blank a property.
 */
final class HubSpotRequests {

    static final int NOTE_TO_CONTACT = 202;
    static final int NOTE_TO_DEAL = 214;

    static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "firstname", "lastname", "whop_user_id"),
            Set.of("membershipId", "dealname", "amount", "closedate", "dealstage", "deal_currency_code"),
            Set.of("externalId", "body", "membershipId", "hs_timestamp"),
            Pattern.compile("[a-z][a-z0-9_]{0,99}"), "a HubSpot property's internal name (lower case, e.g. whop_plan)");

    private final ObjectMapper json;
    private final String membershipIdProperty;
    private final String noteIdProperty;
    /**
     * Notes are upserted by the note property unless the CRM check found it missing: while that is unknown (no check
     * yet, or one that could not read the properties), a plain POST could leave a second copy, an upsert cannot (if
     * the property is missing after all, HubSpot refuses it, the refusal re-runs the check, and the event is retried).
     */
    private volatile boolean noteIdPropertyFound = true;

    HubSpotRequests(ObjectMapper json, String membershipIdProperty, String noteIdProperty) {
        this.json = json;
        this.membershipIdProperty = membershipIdProperty;
        this.noteIdProperty = noteIdProperty;
    }

    /** One input of a batch upsert: the key value and the properties. */
    record Input(String id, ObjectNode properties) {
    }

    ApiRequest contact(Map<String, Object> person, String email) {
        return contacts(java.util.List.of(new Input(email, contactProperties(person, email))));
    }

    ApiRequest contacts(java.util.List<Input> inputs) {
        return batchUpsert("contact.upsert", "contacts", "email", inputs);
    }

    ObjectNode contactProperties(Map<String, Object> person, String email) {
        ObjectNode properties = properties(person, Set.of(CrmFieldSchema.PERSON_KEY));
        properties.put("email", email);
        return properties;
    }

    /** {@code pipelineAndStage} from {@link HubSpotPipelines#resolve}, or null when the mapping sets no stage. */
    ApiRequest deal(Map<String, Object> opportunity, String membershipId, String[] pipelineAndStage) {
        return deals(java.util.List.of(new Input(membershipId, dealProperties(opportunity, membershipId, pipelineAndStage))));
    }

    ApiRequest deals(java.util.List<Input> inputs) {
        return batchUpsert("deal.upsert", "deals", membershipIdProperty, inputs);
    }

    ObjectNode dealProperties(Map<String, Object> opportunity, String membershipId, String[] pipelineAndStage) {
        ObjectNode properties = properties(opportunity, Set.of(CrmFieldSchema.OPPORTUNITY_KEY, "dealstage"));
        properties.put(membershipIdProperty, membershipId);
        if (pipelineAndStage != null) {
            properties.put("pipeline", pipelineAndStage[0]);
            properties.put("dealstage", pipelineAndStage[1]);
        }
        return properties;
    }

    String membershipIdProperty() {
        return membershipIdProperty;
    }

    /** {@code POST /crm/v4/associations/deals/contacts/batch/associate/default} for pairs {deal id, contact id}. */
    ApiRequest associateDealsWithContacts(java.util.List<String[]> pairs) {
        ObjectNode body = json.createObjectNode();
        ArrayNode inputs = body.putArray("inputs");
        for (String[] pair : pairs) {
            ObjectNode input = inputs.addObject();
            input.putObject("from").put("id", pair[0]);
            input.putObject("to").put("id", pair[1]);
        }
        return new ApiRequest("deal.associate.batch", "POST", "/crm/v4/associations/deals/contacts/batch/associate/default", null, body);
    }

    ApiRequest associateDealWithContact(String dealId, String contactId) {
        return new ApiRequest("deal.associate", "PUT", "/crm/v4/objects/deals/" + dealId + "/associations/default/contacts/"
                + contactId, null, null);
    }

    /** A new note with its associations, or (with a note id property HubSpot has) an upsert of it. */
    ApiRequest createNote(Map<String, Object> note, String externalId, Instant fallbackTime, String contactId, String dealId) {
        ObjectNode properties = noteProperties(note, fallbackTime);
        if (upsertsNotes()) {
            properties.put(noteIdProperty, externalId);
            return batchUpsert("note.upsert", "notes", noteIdProperty, java.util.List.of(new Input(externalId, properties)));
        }
        ObjectNode body = json.createObjectNode();
        body.set("properties", properties);
        ArrayNode associations = body.putArray("associations");
        if (contactId != null) {
            association(associations, contactId, NOTE_TO_CONTACT);
        }
        if (dealId != null) {
            association(associations, dealId, NOTE_TO_DEAL);
        }
        return new ApiRequest("note.create", "POST", "/crm/v3/objects/notes", null, body);
    }

    /** A change of a note Sluice knows the id of; with upserts on, it gets its key too (a note written before them). */
    ApiRequest updateNote(Map<String, Object> note, String externalId, String noteId, Instant fallbackTime) {
        ObjectNode body = json.createObjectNode();
        ObjectNode properties = noteProperties(note, fallbackTime);
        if (upsertsNotes()) {
            properties.put(noteIdProperty, externalId);
        }
        body.set("properties", properties);
        return new ApiRequest("note.update", "PATCH", "/crm/v3/objects/notes/" + noteId, null, body);
    }

    ApiRequest associateNote(String noteId, String toType, String toId) {
        return new ApiRequest("note.associate", "PUT", "/crm/v4/objects/notes/" + noteId + "/associations/default/" + toType
                + "/" + toId, null, null);
    }

    /** True when notes are upserted by the configured note property (the check has not found it missing). */
    boolean upsertsNotes() {
        return noteIdProperty != null && noteIdPropertyFound;
    }

    /** What the CRM check found of the note property ({@link HubSpotSchemaCheck}). */
    void noteIdPropertyFound(boolean found) {
        this.noteIdPropertyFound = found;
    }

    String noteIdProperty() {
        return noteIdProperty;
    }

    private ObjectNode noteProperties(Map<String, Object> note, Instant fallbackTime) {
        ObjectNode properties = properties(note, Set.of(CrmFieldSchema.NOTE_KEY, "membershipId", "body", "hs_timestamp"));
        Object body = note.get("body");
        if (body != null) {
            properties.put("hs_note_body", body.toString());
        }
        Object timestamp = note.get("hs_timestamp");
        properties.put("hs_timestamp", timestamp != null ? text(timestamp) : fallbackTime.toString()); // required by HubSpot
        return properties;
    }

    private void association(ArrayNode associations, String id, int typeId) {
        ObjectNode association = associations.addObject();
        association.putObject("to").put("id", id);
        association.putArray("types").addObject().put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", typeId);
    }

    private ApiRequest batchUpsert(String operation, String objectType, String idProperty, java.util.List<Input> inputs) {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("inputs");
        for (Input each : inputs) {
            ObjectNode input = list.addObject();
            input.put("idProperty", idProperty);
            input.put("id", each.id());
            input.set("properties", each.properties());
        }
        return new ApiRequest(operation, "POST", "/crm/v3/objects/" + objectType + "/batch/upsert", null, body);
    }

    /** HubSpot takes every property value as a string. */
    private ObjectNode properties(Map<String, Object> fields, Set<String> skip) {
        ObjectNode properties = json.createObjectNode();
        fields.forEach((name, value) -> {
            if (!skip.contains(name)) {
                properties.put(name, value == null ? "" : text(value)); // null: a field the mapping clears; HubSpot clears with ""
            }
        });
        return properties;
    }

    private static String text(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }
}
