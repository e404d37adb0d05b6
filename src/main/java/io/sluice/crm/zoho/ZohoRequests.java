package io.sluice.crm.zoho;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiRequest;
import io.sluice.mapping.CrmFieldSchema;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Zoho CRM requests for a change: Contacts upserted with {@code duplicate_check_fields:
 * ["Email"]}, Deals with the membership field as the explicit key (Deals otherwise match on {@code Deal_Name}),
 * Notes created under the deal (or the contact) and updated by id later, since Notes cannot be upserted. Mapping
 * fields are Zoho field API names.
 */
final class ZohoRequests {

    static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "First_Name", "Last_Name", "Whop_User_ID"),
            Set.of("membershipId", "Deal_Name", "Stage", "Amount", "Closing_Date", "Currency"),
            Set.of("externalId", "Note_Title", "Note_Content", "membershipId"),
            Pattern.compile("[A-Z][A-Za-z0-9_]{0,99}"), "a Zoho field API name (e.g. Mobile)");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private final ObjectMapper json;
    private final String version;
    private final String membershipIdField;
    private final boolean runWorkflows;

    ZohoRequests(ObjectMapper json, String version, String membershipIdField, boolean runWorkflows) {
        this.json = json;
        this.version = version;
        this.membershipIdField = membershipIdField;
        this.runWorkflows = runWorkflows;
    }

    /** @param standIn fill Zoho's mandatory last name when the change has none (only for a contact Zoho must create) */
    ApiRequest contact(Map<String, Object> person, String email, boolean standIn) {
        return contacts(java.util.List.of(contactRecord(person, email, standIn)));
    }

    ApiRequest contacts(java.util.List<ObjectNode> records) {
        return upsert("contact.upsert", "Contacts", "Email", records);
    }

    ObjectNode contactRecord(Map<String, Object> person, String email, boolean standIn) {
        ObjectNode record = fields(person, Set.of(CrmFieldSchema.PERSON_KEY));
        record.put("Email", email);
        if (standIn && !record.hasNonNull("Last_Name")) {
            // mandatory when Zoho creates the contact: a person known only by email gets it as the last name; it is
            // sent only after Zoho said the contact is new, since on an update it would overwrite the real last name
            record.put("Last_Name", record.hasNonNull("First_Name") ? record.get("First_Name").asText() : email);
        }
        return record;
    }

    /** @param fallbackDate the closing date a new deal needs (mandatory in Zoho) when the change has none; null: none */
    ApiRequest deal(Map<String, Object> opportunity, String membershipId, String contactId, Instant fallbackDate) {
        return deals(java.util.List.of(dealRecord(opportunity, membershipId, contactId, fallbackDate)));
    }

    ApiRequest deals(java.util.List<ObjectNode> records) {
        return upsert("deal.upsert", "Deals", membershipIdField, records);
    }

    ObjectNode dealRecord(Map<String, Object> opportunity, String membershipId, String contactId, Instant fallbackDate) {
        ObjectNode record = fields(opportunity, Set.of(CrmFieldSchema.OPPORTUNITY_KEY, "Closing_Date"));
        record.put(membershipIdField, membershipId);
        Object closing = opportunity.get("Closing_Date");
        if (closing == null && opportunity.containsKey("Closing_Date")) {
            record.putNull("Closing_Date"); // the mapping clears it (Zoho refuses that where the field is mandatory)
        } else if (closing != null || fallbackDate != null) {
            record.put("Closing_Date", closing instanceof Instant i ? DATE.format(i) : closing != null ? closing.toString() : DATE.format(fallbackDate));
        }
        if (contactId != null) {
            record.putObject("Contact_Name").put("id", contactId);
        }
        return record;
    }

    ApiRequest createNote(Map<String, Object> note, String parentModule, String parentId) {
        ObjectNode record = fields(note, Set.of(CrmFieldSchema.NOTE_KEY, "membershipId"));
        ObjectNode parent = record.putObject("Parent_Id");
        parent.putObject("module").put("api_name", parentModule);
        parent.put("id", parentId);
        return new ApiRequest("note.create", "POST", "/crm/" + version + "/Notes", null, data(record));
    }

    ApiRequest updateNote(Map<String, Object> note, String noteId) {
        ObjectNode record = fields(note, Set.of(CrmFieldSchema.NOTE_KEY, "membershipId"));
        return new ApiRequest("note.update", "PUT", "/crm/" + version + "/Notes/" + noteId, null, data(record));
    }

    private ApiRequest upsert(String operation, String module, String keyField, java.util.List<ObjectNode> records) {
        ObjectNode body = json.createObjectNode();
        records.forEach(body.putArray("data")::add);
        body.putArray("duplicate_check_fields").add(keyField);
        if (!runWorkflows) {
            body.putArray("trigger");
        }
        return new ApiRequest(operation, "POST", "/crm/" + version + "/" + module + "/upsert", null, body);
    }

    private ObjectNode data(ObjectNode record) {
        ObjectNode body = json.createObjectNode();
        body.putArray("data").add(record);
        return body;
    }

    private ObjectNode fields(Map<String, Object> values, Set<String> skip) {
        ObjectNode record = json.createObjectNode();
        values.forEach((name, value) -> {
            if (skip.contains(name)) {
                return;
            }
            if (value == null) {
                record.putNull(name); // a field the mapping clears
            } else if (value instanceof BigDecimal d) {
                record.put(name, d);
            } else if (value instanceof Boolean b) {
                record.put(name, b);
            } else if (value instanceof Instant i) {
                record.put(name, i.atOffset(ZoneOffset.UTC).toString());
            } else {
                record.put(name, value.toString());
            }
        });
        return record;
    }
}
