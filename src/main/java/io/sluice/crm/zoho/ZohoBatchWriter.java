package io.sluice.crm.zoho;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.BatchOutcome;
import io.sluice.crm.BatchedObjects;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;
import io.sluice.crm.CrmWriteVersions;

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
    private final CrmWriteVersions versions;
    private final ZohoConnector connector;

    ZohoBatchWriter(ApiHttpClient http, ZohoRequests requests, CrmWriteVersions versions, ZohoConnector connector) {
        this.http = http;
        this.requests = requests;
        this.versions = versions;
        this.connector = connector;
    }

    List<BatchOutcome> write(List<CrmChange> changes) {
        Map<String, CrmWriteVersions.Written> contacts = versions.lockAll(ZohoConnector.PROVIDER, "person", keys(changes, ChangeKeys::email));
        Map<String, CrmWriteVersions.Written> deals = versions.lockAll(ZohoConnector.PROVIDER, "opportunity", keys(changes, ChangeKeys::membershipId));
        Map<String, CrmWriteVersions.Written> notes = versions.lockAll(ZohoConnector.PROVIDER, "note", keys(changes, ChangeKeys::noteKey));
        RuntimeException[] failures = new RuntimeException[changes.size()];
        boolean[] stale = new boolean[changes.size()];
        BatchedObjects contactChanges = new BatchedObjects(changes);
        BatchedObjects dealChanges = new BatchedObjects(changes);
        for (int i = 0; i < changes.size(); i++) {
            CrmChange change = changes.get(i);
            String email = ChangeKeys.email(change);
            String membershipId = ChangeKeys.membershipId(change);
            String noteKey = ChangeKeys.noteKey(change);
            boolean dealNewer = membershipId != null && deals.get(membershipId).acceptsChangeAt(change.sourceUpdatedAt());
            boolean noteNewer = noteKey != null && notes.get(noteKey).acceptsChangeAt(change.sourceUpdatedAt());
            if ((membershipId != null || noteKey != null) && !dealNewer && !noteNewer) {
                stale[i] = true;
                continue;
            }
            if (email != null && contacts.get(email).acceptsChangeAt(change.sourceUpdatedAt())) {
                contactChanges.add(email, i);
            }
            if (dealNewer) {
                dealChanges.add(membershipId, i);
            }
        }
        Map<String, Integer> contactWriter = contactChanges.newest();
        Map<String, Integer> dealWriter = dealChanges.newest();
        Map<String, String> contactIds = new HashMap<>();
        contacts.forEach((email, written) -> {
            if (written.remoteId() != null) {
                contactIds.put(email, written.remoteId());
            }
        });
        if (!contactWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            contactWriter.forEach((email, i) -> records.add(requests.contactRecord(contactChanges.fields(email, CrmChange::person), email,
                    false))); // no stand-ins: a new record Zoho refuses for a mandatory field is retried alone, with them
            List<String> ids = perRecord(http.send(requests.contacts(records)), records.size(), "contact.upsert", failures, changes,
                    contactWriter, ChangeKeys::email);
            int n = 0;
            List<CrmWriteVersions.Write> written = new ArrayList<>();
            for (var entry : contactWriter.entrySet()) {
                String id = ids.get(n++);
                if (id != null) {
                    contactIds.put(entry.getKey(), id);
                    written.add(new CrmWriteVersions.Write(contacts.get(entry.getKey()), id, changes.get(entry.getValue()).sourceUpdatedAt(),
                            changes.get(entry.getValue()).eventId()));
                }
            }
            versions.writtenAll(written);
        }
        Map<String, String> dealIds = new HashMap<>();
        if (!dealWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            dealWriter.forEach((membershipId, i) -> records.add(requests.dealRecord(dealChanges.fields(membershipId, CrmChange::opportunity), membershipId,
                    contactIds.get(ChangeKeys.email(changes.get(i))), null)));
            List<String> ids = perRecord(http.send(requests.deals(records)), records.size(), "deal.upsert", failures, changes,
                    dealWriter, ChangeKeys::membershipId);
            int n = 0;
            List<CrmWriteVersions.Write> written = new ArrayList<>();
            for (var entry : dealWriter.entrySet()) {
                String id = ids.get(n++);
                if (id != null) {
                    dealIds.put(entry.getKey(), id);
                    written.add(new CrmWriteVersions.Write(deals.get(entry.getKey()), id, changes.get(entry.getValue()).sourceUpdatedAt(),
                            changes.get(entry.getValue()).eventId()));
                }
            }
            versions.writtenAll(written);
        }
        for (int i = 0; i < changes.size(); i++) {
            CrmChange change = changes.get(i);
            String noteKey = ChangeKeys.noteKey(change);
            if (stale[i] || failures[i] != null || noteKey == null || !notes.get(noteKey).acceptsChangeAt(change.sourceUpdatedAt())) {
                continue;
            }
            try {
                CrmWriteVersions.Written note = notes.get(noteKey);
                versions.written(note, connector.writeNote(change, note.remoteId(), contactIds.get(ChangeKeys.email(change))),
                        change.sourceUpdatedAt(), change.eventId());
            } catch (RuntimeException e) {
                failures[i] = e;
            }
        }
        List<BatchOutcome> outcomes = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            outcomes.add(stale[i] ? BatchOutcome.of(CrmWriteResult.STALE)
                    : failures[i] != null ? BatchOutcome.failed(failures[i]) : BatchOutcome.of(CrmWriteResult.APPLIED));
        }
        return outcomes;
    }

    /** The record ids of Zoho's answer, in input order; null where Zoho refused that record (its changes fail). */
    private static List<String> perRecord(ApiResponse response, int expected, String operation, RuntimeException[] failures,
                                          List<CrmChange> changes, Map<String, Integer> writers, Function<CrmChange, String> keyOf) {
        JsonNode data = response.json() == null ? null : response.json().path("data");
        if (data == null || data.size() != expected) {
            throw new CrmException("zoho answered " + operation + " with " + (data == null ? 0 : data.size()) + " results for "
                    + expected + " records", true, null);
        }
        List<String> ids = new ArrayList<>(expected);
        List<String> keys = new ArrayList<>(writers.keySet());
        for (int n = 0; n < expected; n++) {
            JsonNode record = data.get(n);
            if ("success".equalsIgnoreCase(record.path("status").asText()) && record.path("details").hasNonNull("id")) {
                ids.add(record.path("details").path("id").asText());
                continue;
            }
            ids.add(null);
            String key = keys.get(n);
            RuntimeException refused = new CrmRejectedException("zoho refused " + operation + ": " + record.path("code").asText("error")
                    + " " + record.path("message").asText("") + " " + record.path("details"));
            for (int i = 0; i < changes.size(); i++) {
                if (failures[i] == null && key.equals(keyOf.apply(changes.get(i)))) {
                    failures[i] = refused;
                }
            }
        }
        return ids;
    }



    private static List<String> keys(List<CrmChange> changes, Function<CrmChange, String> keyOf) {
        return changes.stream().map(keyOf).filter(java.util.Objects::nonNull).toList();
    }
}
