package io.sluice.crm.zoho;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.BatchPlan;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A backfill's changes written to Zoho with one Contacts upsert and one Deals upsert of up to 100 records each;
 * Zoho answers per record, in order, so a record it refuses fails only the changes that need
 * it (they are retried alone). Notes have no batch upsert and go one by one.
 */
final class ZohoBatchWriter {

    private final ApiHttpClient http;
    private final ZohoRequests requests;
    private final ZohoConnector connector;

    ZohoBatchWriter(ApiHttpClient http, ZohoRequests requests, ZohoConnector connector) {
        this.http = http;
        this.requests = requests;
        this.connector = connector;
    }

    /** Sends the batch calls {@code plan} asks for (inside {@link io.sluice.crm.CrmWriteTemplate#applyBatch}). */
    void write(BatchPlan plan) {
        Map<String, Integer> contacts = plan.peopleToWrite();
        if (!contacts.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            contacts.keySet().forEach(email -> records.add(requests.contactRecord(plan.personFields(email), email,
                    false))); // no stand-ins: a new record Zoho refuses for a mandatory field is retried alone, with them
            plan.peopleWritten(perRecord(http.send(requests.contacts(records)), "contact.upsert", plan, contacts, ChangeKeys::email));
        }
        Map<String, Integer> deals = plan.opportunitiesToWrite();
        if (!deals.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            deals.forEach((membershipId, i) -> records.add(requests.dealRecord(plan.opportunityFields(membershipId), membershipId,
                    plan.personIdOf(plan.change(i)), null)));
            plan.opportunitiesWritten(perRecord(http.send(requests.deals(records)), "deal.upsert", plan, deals, ChangeKeys::membershipId));
        }
        plan.notesToWrite().forEach((noteKey, i) -> {
            CrmChange change = plan.change(i);
            try {
                plan.noteWritten(noteKey, connector.writeNote(change, plan.rememberedNoteId(noteKey), plan.personIdOf(change),
                        plan.noteOpportunityIdOf(change)));
            } catch (RuntimeException e) {
                plan.fail(ChangeKeys::noteKey, noteKey, e);
            }
        });
    }

    /**
     * The record ids of Zoho's answer, by key (Zoho answers in input order); a record Zoho refused has none, and the
     * changes that need it fail with Zoho's words.
     */
    private static Map<String, String> perRecord(ApiResponse response, String operation, BatchPlan plan, Map<String, Integer> writers,
                                                 Function<CrmChange, String> keyOf) {
        int expected = writers.size();
        JsonNode data = response.json() == null ? null : response.json().path("data");
        if (data == null || data.size() != expected) {
            throw new CrmException("zoho answered " + operation + " with " + (data == null ? 0 : data.size()) + " results for "
                    + expected + " records", true, null);
        }
        Map<String, String> ids = new HashMap<>();
        List<String> keys = new ArrayList<>(writers.keySet());
        for (int n = 0; n < expected; n++) {
            JsonNode record = data.get(n);
            if ("success".equalsIgnoreCase(record.path("status").asText()) && record.path("details").hasNonNull("id")) {
                ids.put(keys.get(n), record.path("details").path("id").asText());
            } else {
                plan.fail(keyOf, keys.get(n), new CrmRejectedException("zoho refused " + operation + ": " + record.path("code").asText("error")
                        + " " + record.path("message").asText("") + " " + record.path("details")));
            }
        }
        return ids;
    }
}
