package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A backfill's changes written to HubSpot with batch calls: one contacts upsert, one deals
 * upsert, one association call for the whole batch (notes one by one). Results are matched to inputs by their key
 * property; an input HubSpot did not accept (a 207) fails only the changes that need it, which are then retried
 * alone. Every key is locked (sorted) before anything is written, as in single writes.
 */
final class HubSpotBatchWriter {

    private final ApiHttpClient http;
    private final HubSpotRequests requests;
    private final HubSpotPipelines pipelines;
    private final CrmWriteVersions versions;
    private final HubSpotConnector connector;

    HubSpotBatchWriter(ApiHttpClient http, HubSpotRequests requests, HubSpotPipelines pipelines, CrmWriteVersions versions,
                       HubSpotConnector connector) {
        this.http = http;
        this.requests = requests;
        this.pipelines = pipelines;
        this.versions = versions;
        this.connector = connector;
    }

    /** Runs inside the caller's {@link io.sluice.crm.CrmWriteLeases#run}. */
    List<BatchOutcome> write(List<CrmChange> changes) {
        Map<String, CrmWriteVersions.Written> contacts = versions.lockAll(HubSpotConnector.PROVIDER, "person", keys(changes, ChangeKeys::email));
        Map<String, CrmWriteVersions.Written> deals = versions.lockAll(HubSpotConnector.PROVIDER, "opportunity",
                java.util.stream.Stream.concat(keys(changes, ChangeKeys::membershipId).stream(), keys(changes, ChangeKeys::noteMembershipId).stream()).toList());
        Map<String, CrmWriteVersions.Written> notes = versions.lockAll(HubSpotConnector.PROVIDER, "note", keys(changes, ChangeKeys::noteKey));
        RuntimeException[] failures = new RuntimeException[changes.size()];
        boolean[] stale = new boolean[changes.size()];

        // which parts of each change are newer than what HubSpot holds
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

        Map<String, String> contactIds = upsertContacts(changes, contactWriter, contactChanges, contacts, failures);
        Map<String, String> dealIds = upsertDeals(changes, dealWriter, dealChanges, deals, failures);
        associate(changes, dealWriter, contactIds, dealIds, contacts);
        dealIds.forEach(connector::linkWaitingNotes);

        for (int i = 0; i < changes.size(); i++) {
            CrmChange change = changes.get(i);
            String noteKey = ChangeKeys.noteKey(change);
            if (stale[i] || failures[i] != null || noteKey == null || !notes.get(noteKey).acceptsChangeAt(change.sourceUpdatedAt())) {
                continue;
            }
            try {
                String email = ChangeKeys.email(change);
                String contactId = email == null ? null : contactIds.getOrDefault(email, contacts.get(email).remoteId());
                String noteMembership = ChangeKeys.noteMembershipId(change);
                String dealId = noteMembership == null ? null
                        : dealIds.getOrDefault(noteMembership, versions.remoteId(HubSpotConnector.PROVIDER, "opportunity", noteMembership).orElse(null));
                CrmWriteVersions.Written note = notes.get(noteKey);
                versions.written(note, connector.writeNote(change, noteKey, note.remoteId(), contactId, dealId),
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

    private Map<String, String> upsertContacts(List<CrmChange> changes, Map<String, Integer> writers, BatchedObjects merged,
                                               Map<String, CrmWriteVersions.Written> locked, RuntimeException[] failures) {
        if (writers.isEmpty()) {
            return Map.of();
        }
        List<HubSpotRequests.Input> inputs = new ArrayList<>();
        writers.forEach((email, i) -> inputs.add(new HubSpotRequests.Input(email, requests.contactProperties(merged.fields(email, CrmChange::person), email))));
        Map<String, String> ids = results(http.send(requests.contacts(inputs)), "email");
        recordOrFail(changes, writers, locked, ids, failures, "contact", ChangeKeys::email);
        return ids;
    }

    private Map<String, String> upsertDeals(List<CrmChange> changes, Map<String, Integer> writers, BatchedObjects merged,
                                            Map<String, CrmWriteVersions.Written> locked, RuntimeException[] failures) {
        List<HubSpotRequests.Input> inputs = new ArrayList<>();
        Map<String, Integer> sent = new LinkedHashMap<>();
        writers.forEach((membershipId, i) -> {
            Map<String, Object> deal = merged.fields(membershipId, CrmChange::opportunity);
            try {
                Object stage = deal.get("dealstage");
                String[] pipelineAndStage = stage == null ? null : pipelines.resolve(stage.toString());
                inputs.add(new HubSpotRequests.Input(membershipId, requests.dealProperties(deal, membershipId, pipelineAndStage)));
                sent.put(membershipId, i);
            } catch (RuntimeException e) {
                failAll(changes, failures, e, c -> membershipId.equals(ChangeKeys.membershipId(c)));
            }
        });
        if (inputs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> ids = results(http.send(requests.deals(inputs)), requests.membershipIdProperty());
        recordOrFail(changes, sent, locked, ids, failures, "deal", ChangeKeys::membershipId);
        return ids;
    }

    private void associate(List<CrmChange> changes, Map<String, Integer> dealWriters, Map<String, String> contactIds,
                           Map<String, String> dealIds, Map<String, CrmWriteVersions.Written> contacts) {
        List<String[]> pairs = new ArrayList<>();
        dealWriters.forEach((membershipId, i) -> {
            String email = ChangeKeys.email(changes.get(i));
            String dealId = dealIds.get(membershipId);
            String contactId = email == null ? null : contactIds.getOrDefault(email, contacts.get(email).remoteId());
            if (dealId != null && contactId != null) {
                pairs.add(new String[]{dealId, contactId});
            }
        });
        if (!pairs.isEmpty()) {
            http.send(requests.associateDealsWithContacts(pairs));
        }
    }

    /** Key property value (lower-cased for emails) → HubSpot id, from a batch upsert answer. */
    private static Map<String, String> results(ApiResponse response, String keyProperty) {
        Map<String, String> ids = new HashMap<>();
        JsonNode json = response.json();
        if (json == null) {
            throw new CrmException("hubspot answered a batch upsert without a body", true, null);
        }
        for (JsonNode result : json.path("results")) {
            String key = result.path("properties").path(keyProperty).asText(null);
            if (key != null && result.hasNonNull("id")) {
                ids.put("email".equals(keyProperty) ? key.toLowerCase(java.util.Locale.ROOT) : key, result.path("id").asText());
            }
        }
        return ids;
    }

    private void recordOrFail(List<CrmChange> changes, Map<String, Integer> writers, Map<String, CrmWriteVersions.Written> locked,
                              Map<String, String> ids, RuntimeException[] failures, String what,
                              java.util.function.Function<CrmChange, String> keyOf) {
        List<CrmWriteVersions.Write> written = new java.util.ArrayList<>();
        writers.forEach((key, i) -> {
            String id = ids.get(key);
            if (id != null) {
                written.add(new CrmWriteVersions.Write(locked.get(key), id, changes.get(i).sourceUpdatedAt(), changes.get(i).eventId()));
            } else {
                failAll(changes, failures, new CrmRejectedException("hubspot did not accept the " + what + " " + key
                        + " in a batch upsert (a 207 or a missing result); retried alone for its own answer"), c -> key.equals(keyOf.apply(c)));
            }
        });
        versions.writtenAll(written);
    }

    private static void failAll(List<CrmChange> changes, RuntimeException[] failures, RuntimeException failure,
                                java.util.function.Predicate<CrmChange> affected) {
        for (int i = 0; i < changes.size(); i++) {
            if (failures[i] == null && affected.test(changes.get(i))) {
                failures[i] = failure;
            }
        }
    }



    private static List<String> keys(List<CrmChange> changes, Function<CrmChange, String> keyOf) {
        return changes.stream().map(keyOf).filter(java.util.Objects::nonNull).toList();
    }
}
