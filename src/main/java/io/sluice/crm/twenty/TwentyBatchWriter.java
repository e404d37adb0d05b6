package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.BatchOutcome;
import io.sluice.crm.BatchedObjects;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmWriteResult;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;
import io.sluice.crm.CrmWriteVersions;
import io.sluice.crm.PendingNoteLinks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A backfill's changes written to Twenty with one batch upsert per object kind (people, opportunities, notes, note
 * targets), instead of up to four calls per record: what makes a backfill fit Twenty Cloud's 100 requests a minute.
 * People ids are matched back by primary email; the other ids are derived from the Whop keys. Notes whose
 * opportunity is not written yet wait in {@link PendingNoteLinks}; an opportunity written here links its waiting
 * notes in the same noteTargets call. Twenty refuses a batch as a whole; the caller then retries each change alone.
 */
final class TwentyBatchWriter {

    private final ApiHttpClient http;
    private final TwentyRequests requests;
    private final CrmWriteVersions versions;
    private final PendingNoteLinks pendingLinks;

    TwentyBatchWriter(ApiHttpClient http, TwentyRequests requests, CrmWriteVersions versions, PendingNoteLinks pendingLinks) {
        this.http = http;
        this.requests = requests;
        this.versions = versions;
        this.pendingLinks = pendingLinks;
    }

    /** Runs inside the caller's {@link io.sluice.crm.CrmWriteLeases#run}. */
    List<BatchOutcome> write(List<CrmChange> changes) {
        Map<String, CrmWriteVersions.Written> people = versions.lockAll(TwentyConnector.PROVIDER, "person", keys(changes, ChangeKeys::email));
        Map<String, CrmWriteVersions.Written> opportunities = versions.lockAll(TwentyConnector.PROVIDER, "opportunity",
                Stream.concat(keys(changes, ChangeKeys::membershipId).stream(), keys(changes, ChangeKeys::noteMembershipId).stream()).toList());
        Map<String, CrmWriteVersions.Written> notes = versions.lockAll(TwentyConnector.PROVIDER, "note", keys(changes, ChangeKeys::noteKey));
        boolean[] stale = new boolean[changes.size()];
        BatchedObjects personChanges = new BatchedObjects(changes);
        BatchedObjects opportunityChanges = new BatchedObjects(changes);
        BatchedObjects noteChanges = new BatchedObjects(changes);
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
                personChanges.add(email, i);
            }
            if (opportunityNewer) {
                opportunityChanges.add(membershipId, i);
            }
            if (noteNewer) {
                noteChanges.add(noteKey, i);
            }
        }
        Map<String, Integer> personWriter = personChanges.newest();
        Map<String, Integer> opportunityWriter = opportunityChanges.newest();
        Map<String, Integer> noteWriter = noteChanges.newest();

        Map<String, String> personIds = new HashMap<>();
        people.forEach((email, written) -> {
            if (written.remoteId() != null) {
                personIds.put(email, written.remoteId());
            }
        });
        if (!personWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            personWriter.forEach((email, i) -> records.add(requests.personRecord(personChanges.fields(email, CrmChange::person), email)));
            ApiResponse response = http.send(requests.batch("person.upsert.batch", "people", records));
            Map<String, String> returned = new HashMap<>();
            for (JsonNode person : TwentyAnswers.records(response, "people")) {
                String email = person.path("emails").path("primaryEmail").asText("").toLowerCase(Locale.ROOT);
                if (person.path("id").isTextual()) {
                    returned.put(email, person.path("id").asText());
                }
            }
            List<CrmWriteVersions.Write> written = new ArrayList<>();
            personWriter.forEach((email, i) -> {
                if (!returned.containsKey(email)) {
                    throw new CrmException("twenty answered the people batch without a record for " + email, true, null);
                }
                personIds.put(email, returned.get(email));
                written.add(new CrmWriteVersions.Write(people.get(email), returned.get(email), changes.get(i).sourceUpdatedAt(),
                        changes.get(i).eventId()));
            });
            versions.writtenAll(written);
        }
        if (!opportunityWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            opportunityWriter.forEach((membershipId, i) -> records.add(requests.opportunityRecord(opportunityChanges.fields(membershipId, CrmChange::opportunity),
                    membershipId, personIds.get(ChangeKeys.email(changes.get(i))))));
            http.send(requests.batch("opportunity.upsert.batch", "opportunities", records));
            List<CrmWriteVersions.Write> written = new ArrayList<>();
            opportunityWriter.forEach((membershipId, i) -> written.add(new CrmWriteVersions.Write(opportunities.get(membershipId),
                    TwentyRequests.opportunityId(membershipId), changes.get(i).sourceUpdatedAt(), changes.get(i).eventId())));
            versions.writtenAll(written);
        }
        List<JsonNode> targets = new ArrayList<>();
        List<String> linkedNow = new ArrayList<>();
        pendingLinks.notesOfAll(TwentyConnector.PROVIDER, opportunityWriter.keySet()).forEach((membershipId, noteKeys) -> noteKeys.forEach(noteKey -> {
            requests.noteTargetRecords(noteKey, null, TwentyRequests.opportunityId(membershipId)).forEach(targets::add);
            linkedNow.add(noteKey);
        }));
        Map<String, String> waitingNow = new LinkedHashMap<>(); // note key -> membership whose opportunity is not written yet
        if (!noteWriter.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            noteWriter.forEach((noteKey, i) -> {
                CrmChange change = changes.get(i);
                records.add(requests.noteRecord(noteChanges.fields(noteKey, CrmChange::note), noteKey));
                String noteMembership = ChangeKeys.noteMembershipId(change);
                String opportunity = noteMembership == null ? null
                        : versions.remoteId(TwentyConnector.PROVIDER, "opportunity", noteMembership).orElse(null);
                if (noteMembership != null && opportunity == null) {
                    waitingNow.put(noteKey, noteMembership);
                }
                requests.noteTargetRecords(noteKey, personIds.get(ChangeKeys.email(change)), opportunity).forEach(targets::add);
            });
            http.send(requests.batch("note.upsert.batch", "notes", records));
        }
        if (!targets.isEmpty()) {
            // a waiting note may come again in this batch: each noteTarget id once (Twenty refuses a key twice)
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            targets.forEach(t -> byId.put(t.path("id").asText(), t));
            http.send(requests.batch("noteTarget.upsert.batch", "noteTargets", new ArrayList<>(byId.values())));
        }
        pendingLinks.linked(TwentyConnector.PROVIDER, linkedNow);
        waitingNow.forEach((noteKey, membershipId) -> pendingLinks.remember(TwentyConnector.PROVIDER, noteKey, membershipId));
        List<CrmWriteVersions.Write> notesWritten = new ArrayList<>();
        noteWriter.forEach((noteKey, i) -> notesWritten.add(new CrmWriteVersions.Write(notes.get(noteKey), TwentyRequests.noteId(noteKey),
                changes.get(i).sourceUpdatedAt(), changes.get(i).eventId())));
        versions.writtenAll(notesWritten);
        List<BatchOutcome> outcomes = new ArrayList<>(changes.size());
        for (boolean s : stale) {
            outcomes.add(BatchOutcome.of(s ? CrmWriteResult.STALE : CrmWriteResult.APPLIED));
        }
        return outcomes;
    }

    private static List<String> keys(List<CrmChange> changes, Function<CrmChange, String> keyOf) {
        return changes.stream().map(keyOf).filter(Objects::nonNull).toList();
    }
}
