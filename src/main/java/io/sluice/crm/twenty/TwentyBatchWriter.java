package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crm.BatchPlan;
import io.sluice.crm.ChangeKeys;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiResponse;
import io.sluice.crm.PendingNoteLinks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    private final PendingNoteLinks pendingLinks;

    TwentyBatchWriter(ApiHttpClient http, TwentyRequests requests, PendingNoteLinks pendingLinks) {
        this.http = http;
        this.requests = requests;
        this.pendingLinks = pendingLinks;
    }

    /** Sends the batch calls {@code plan} asks for (inside {@link io.sluice.crm.CrmWriteTemplate#applyBatch}). */
    void write(BatchPlan plan) {
        Map<String, Integer> people = plan.peopleToWrite();
        if (!people.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            people.keySet().forEach(email -> records.add(requests.personRecord(plan.personFields(email), email)));
            ApiResponse response = http.send(requests.batch("person.upsert.batch", "people", records));
            Map<String, String> returned = new HashMap<>();
            for (JsonNode person : TwentyAnswers.records(response, "people")) {
                String email = person.path("emails").path("primaryEmail").asText("").toLowerCase(Locale.ROOT);
                if (person.path("id").isTextual()) {
                    returned.put(email, person.path("id").asText());
                }
            }
            for (String email : people.keySet()) {
                if (!returned.containsKey(email)) {
                    throw new CrmException("twenty answered the people batch without a record for " + email, true, null);
                }
            }
            plan.peopleWritten(returned);
        }
        Map<String, Integer> opportunities = plan.opportunitiesToWrite();
        if (!opportunities.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            opportunities.forEach((membershipId, i) -> records.add(requests.opportunityRecord(plan.opportunityFields(membershipId),
                    membershipId, plan.personIdOf(plan.change(i)))));
            http.send(requests.batch("opportunity.upsert.batch", "opportunities", records));
            Map<String, String> ids = new HashMap<>();
            opportunities.keySet().forEach(membershipId -> ids.put(membershipId, TwentyRequests.opportunityId(membershipId)));
            plan.opportunitiesWritten(ids);
        }
        // the notes that waited for these opportunities are linked in the same noteTargets call as this batch's notes
        List<JsonNode> targets = new ArrayList<>();
        List<String> linkedNow = new ArrayList<>();
        pendingLinks.notesOfAll(TwentyConnector.PROVIDER, opportunities.keySet()).forEach((membershipId, noteKeys) -> noteKeys.forEach(noteKey -> {
            requests.noteTargetRecords(noteKey, null, TwentyRequests.opportunityId(membershipId)).forEach(targets::add);
            linkedNow.add(noteKey);
        }));
        Map<String, String> waitingNow = new LinkedHashMap<>(); // note key -> membership whose opportunity is not written yet
        Map<String, Integer> notes = plan.notesToWrite();
        if (!notes.isEmpty()) {
            List<ObjectNode> records = new ArrayList<>();
            notes.forEach((noteKey, i) -> {
                CrmChange change = plan.change(i);
                records.add(requests.noteRecord(plan.noteFields(noteKey), noteKey));
                String noteMembership = ChangeKeys.noteMembershipId(change);
                String opportunity = plan.noteOpportunityIdOf(change);
                if (noteMembership != null && opportunity == null) {
                    waitingNow.put(noteKey, noteMembership);
                }
                requests.noteTargetRecords(noteKey, plan.personIdOf(change), opportunity).forEach(targets::add);
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
        Map<String, String> noteIds = new HashMap<>();
        notes.keySet().forEach(noteKey -> noteIds.put(noteKey, TwentyRequests.noteId(noteKey)));
        plan.notesWritten(noteIds);
    }

}
