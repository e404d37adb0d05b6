package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.BatchOutcome;
import io.sluice.crm.ChangeKeys;
import io.sluice.crm.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;
import io.sluice.store.CrmWriteVersions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A backfill's changes written to Twenty with one batch upsert per object kind (people, opportunities, notes, note
 * targets; research crm.md §A.3), instead of up to four calls per record: what makes a backfill fit Twenty Cloud's
 * 100 requests a minute. People ids are matched back by primary email; the other ids are derived from the Whop
 * keys. Twenty refuses a batch as a whole; the caller then retries each change alone.
 */
final class TwentyBatchWriter {

    private final ApiHttpClient http;
    private final TwentyRequests requests;
    private final CrmWriteVersions versions;

    TwentyBatchWriter(ApiHttpClient http, TwentyRequests requests, CrmWriteVersions versions) {
        this.http = http;
        this.requests = requests;
        this.versions = versions;
    }

    /** Runs inside the caller's transaction. */
    List<BatchOutcome> write(List<CrmChange> changes) {
        Map<String, CrmWriteVersions.Written> people = versions.lockAll(TwentyConnector.PROVIDER, "person", keys(changes, ChangeKeys::email));
        Map<String, CrmWriteVersions.Written> opportunities = versions.lockAll(TwentyConnector.PROVIDER, "opportunity", keys(changes, ChangeKeys::membershipId));
        Map<String, CrmWriteVersions.Written> notes = versions.lockAll(TwentyConnector.PROVIDER, "note", keys(changes, ChangeKeys::noteKey));
        boolean[] stale = new boolean[changes.size()];
        Map<String, Integer> personWriter = new LinkedHashMap<>();
        Map<String, Integer> opportunityWriter = new LinkedHashMap<>();
        Map<String, Integer> noteWriter = new LinkedHashMap<>();
        for (int i = 0; i < changes.size(); i++) {
            CrmChange change = changes.get(i);
            String email = ChangeKeys.email(change);
            String membershipId = ChangeKeys.membershipId(change);
            String noteKey = ChangeKeys.noteKey(change);
            boolean opportunityNewer = membershipId != null && opportunities.get(membershipId).acceptsChangeAt(change.sourceUpdatedAt());
            boolean noteNewer = noteKey != null && notes.get(noteKey).acceptsChangeAt(change.sourceUpdatedAt());
            if ((membershipId != null || noteKey != null) && !opportunityNewer && !noteNewer) {
                stale[i] = true;
                continue;
            }
            if (email != null && people.get(email).acceptsChangeAt(change.sourceUpdatedAt())) {
                personWriter.merge(email, i, (a, b) -> ChangeKeys.newer(changes, a, b));
            }
            if (opportunityNewer) {
                opportunityWriter.merge(membershipId, i, (a, b) -> ChangeKeys.newer(changes, a, b));
            }
            if (noteNewer) {
                noteWriter.merge(noteKey, i, (a, b) -> ChangeKeys.newer(changes, a, b));
            }
        }

        Map<String, String> personIds = new HashMap<>();
        people.forEach((email, written) -> {
            if (written.remoteId() != null) {
                personIds.put(email, written.remoteId());
            }
        });
        if (!personWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            personWriter.forEach((email, i) -> records.add(requests.personRecord(changes.get(i).person(), email)));
            ApiResponse response = http.send(requests.batch("person.upsert.batch", "people", records));
            Map<String, String> returned = new HashMap<>();
            for (JsonNode person : response.json().path("data").path("people")) {
                String email = person.path("emails").path("primaryEmail").asText("").toLowerCase(Locale.ROOT);
                if (person.path("id").isTextual()) {
                    returned.put(email, person.path("id").asText());
                }
            }
            personWriter.forEach((email, i) -> {
                if (!returned.containsKey(email)) {
                    throw new CrmException("twenty answered the people batch without a record for " + email, true, null);
                }
                personIds.put(email, returned.get(email));
                versions.written(people.get(email), returned.get(email), changes.get(i).sourceUpdatedAt(), changes.get(i).eventId());
            });
        }
        if (!opportunityWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            opportunityWriter.forEach((membershipId, i) -> records.add(requests.opportunityRecord(changes.get(i).opportunity(),
                    membershipId, personIds.get(ChangeKeys.email(changes.get(i))))));
            http.send(requests.batch("opportunity.upsert.batch", "opportunities", records));
            opportunityWriter.forEach((membershipId, i) -> versions.written(opportunities.get(membershipId),
                    TwentyRequests.opportunityId(membershipId), changes.get(i).sourceUpdatedAt(), changes.get(i).eventId()));
        }
        if (!noteWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            List<JsonNode> targets = new ArrayList<>();
            noteWriter.forEach((noteKey, i) -> {
                CrmChange change = changes.get(i);
                records.add(requests.noteRecord(change.note(), noteKey));
                String noteMembership = ChangeKeys.field(change.note(), "membershipId");
                String opportunity = noteMembership == null ? null
                        : versions.remoteId(TwentyConnector.PROVIDER, "opportunity", noteMembership).orElse(null);
                requests.noteTargetRecords(noteKey, personIds.get(ChangeKeys.email(change)), opportunity).forEach(targets::add);
            });
            http.send(requests.batch("note.upsert.batch", "notes", records));
            if (!targets.isEmpty()) {
                http.send(requests.batch("noteTarget.upsert.batch", "noteTargets", targets));
            }
            noteWriter.forEach((noteKey, i) -> versions.written(notes.get(noteKey), TwentyRequests.noteId(noteKey),
                    changes.get(i).sourceUpdatedAt(), changes.get(i).eventId()));
        }
        List<BatchOutcome> outcomes = new ArrayList<>(changes.size());
        for (boolean s : stale) {
            outcomes.add(BatchOutcome.of(s ? CrmWriteResult.STALE : CrmWriteResult.APPLIED));
        }
        return outcomes;
    }




    private static List<String> keys(List<CrmChange> changes, Function<CrmChange, String> keyOf) {
        return changes.stream().map(keyOf).filter(java.util.Objects::nonNull).toList();
    }
}
