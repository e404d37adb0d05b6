package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The batch path's {@link CrmWriteTemplate}: which objects a batch of changes writes, planned the way writing them
 * one by one would. Every key is leased first (in {@code crm_write_version}'s order); a change whose opportunity and
 * note are both older than what the CRM holds writes nothing (stale); per person, opportunity and note, the newest
 * change writes the fields all the batch's changes of it carry ({@link BatchedObjects}). A provider's batch writer
 * sends the writes, reports the ids the CRM answered ({@link #peopleWritten} and the like, recorded at once) and
 * fails the changes whose record the CRM refused; those are retried alone. Call inside
 * {@link CrmWriteLeases#run}.
 */
public final class BatchPlan {

    private final String provider;
    private final CrmWriteVersions versions;
    private final List<CrmChange> changes;
    private final Map<String, CrmWriteVersions.Written> people;
    private final Map<String, CrmWriteVersions.Written> opportunities;
    private final Map<String, CrmWriteVersions.Written> notes;
    private final boolean[] stale;
    private final RuntimeException[] failures;
    private final BatchedObjects personChanges;
    private final BatchedObjects opportunityChanges;
    private final BatchedObjects noteChanges;
    /** Per key, the index of the newest change that writes it (planned once, in the constructor). */
    private final Map<String, Integer> personWriters;
    private final Map<String, Integer> opportunityWriters;
    private final Map<String, Integer> noteWriters;
    private final Map<String, String> personIds = new HashMap<>();
    private final Map<String, String> opportunityIds = new HashMap<>();

    private BatchPlan(String provider, CrmWriteVersions versions, List<CrmChange> changes) {
        this.provider = provider;
        this.versions = versions;
        this.changes = changes;
        this.people = versions.lockAll(provider, "person", keys(ChangeKeys::email));
        // the changes' opportunities and their notes' (a note links to its membership's), as a single write locks them
        this.opportunities = versions.lockAll(provider, "opportunity",
                Stream.concat(keys(ChangeKeys::membershipId).stream(), keys(ChangeKeys::noteMembershipId).stream()).toList());
        this.notes = versions.lockAll(provider, "note", keys(ChangeKeys::noteKey));
        this.stale = new boolean[changes.size()];
        this.failures = new RuntimeException[changes.size()];
        this.personChanges = new BatchedObjects(changes);
        this.opportunityChanges = new BatchedObjects(changes);
        this.noteChanges = new BatchedObjects(changes);
        people.forEach((email, written) -> {
            if (written.remoteId() != null) {
                personIds.put(email, written.remoteId());
            }
        });
        for (int i = 0; i < changes.size(); i++) {
            CrmChange change = changes.get(i);
            String email = ChangeKeys.email(change);
            String membershipId = ChangeKeys.membershipId(change);
            String noteKey = ChangeKeys.noteKey(change);
            Instant time = change.sourceUpdatedAt();
            boolean opportunityNewer = membershipId != null && opportunities.get(membershipId).acceptsChangeAt(time);
            boolean noteNewer = noteKey != null && (change.enrichment() || notes.get(noteKey).acceptsChangeAt(time));
            if ((membershipId != null || noteKey != null) && !opportunityNewer && !noteNewer) {
                stale[i] = true; // the subject already holds a newer change: write nothing
                continue;
            }
            if (email != null && (change.enrichment() || people.get(email).acceptsChangeAt(time))) {
                personChanges.add(email, i);
            }
            if (opportunityNewer) {
                opportunityChanges.add(membershipId, i);
            }
            if (noteNewer) {
                noteChanges.add(noteKey, i);
            }
        }
        this.personWriters = personChanges.newest();
        this.opportunityWriters = opportunityChanges.newest();
        this.noteWriters = noteChanges.newest();
    }

    /** Leases every key of {@code changes} and plans their writes. */
    public static BatchPlan lock(CrmWriteVersions versions, String provider, List<CrmChange> changes) {
        return new BatchPlan(provider, versions, changes);
    }

    public CrmChange change(int index) {
        return changes.get(index);
    }

    /** Per email to write, the index of its newest change (in first-seen order). */
    public Map<String, Integer> peopleToWrite() {
        return personWriters;
    }

    /** Per membership to write, the index of its newest change. */
    public Map<String, Integer> opportunitiesToWrite() {
        return opportunityWriters;
    }

    /** Per note key to write, the index of its newest change; notes of changes already failed are left out. */
    public Map<String, Integer> notesToWrite() {
        Map<String, Integer> toWrite = new java.util.LinkedHashMap<>();
        noteWriters.forEach((noteKey, i) -> {
            if (failures[i] != null) {
                fail(ChangeKeys::noteKey, noteKey, failures[i]); // the newest retries alone: its older siblings with it
            } else {
                toWrite.put(noteKey, i);
            }
        });
        return toWrite;
    }

    public Map<String, Object> personFields(String email) {
        return personChanges.fields(email, CrmChange::person);
    }

    public Map<String, Object> opportunityFields(String membershipId) {
        return opportunityChanges.fields(membershipId, CrmChange::opportunity);
    }

    public Map<String, Object> noteFields(String noteKey) {
        return noteChanges.fields(noteKey, CrmChange::note);
    }

    /** The CRM's id of the change's person: written in this batch or remembered; null when unknown or no email. */
    public String personIdOf(CrmChange change) {
        String email = ChangeKeys.email(change);
        return email == null ? null : personIds.get(email);
    }

    /** The CRM's id of the note's membership's opportunity: written in this batch or remembered; null when none. */
    public String noteOpportunityIdOf(CrmChange change) {
        String membership = ChangeKeys.noteMembershipId(change);
        if (membership == null) {
            return null;
        }
        String written = opportunityIds.get(membership);
        return written != null ? written : opportunities.get(membership).remoteId();
    }

    /** The CRM's id of a note remembered from an earlier write; null when none. */
    public String rememberedNoteId(String noteKey) {
        return notes.get(noteKey).remoteId();
    }

    /** Records the people written, by email; an email without an id here is the provider's to fail. */
    public void peopleWritten(Map<String, String> idsByEmail) {
        personIds.putAll(idsByEmail);
        record(peopleToWrite(), people, idsByEmail);
    }

    /** Records the opportunities written, by membership. */
    public void opportunitiesWritten(Map<String, String> idsByMembership) {
        opportunityIds.putAll(idsByMembership);
        record(opportunitiesToWrite(), opportunities, idsByMembership);
    }

    /** Records the notes written, by note key. */
    public void notesWritten(Map<String, String> idsByNoteKey) {
        record(noteWriters, notes, idsByNoteKey);
    }

    /**
     * Records one note as soon as it is written, for a provider that writes notes one call each: a failure or a crash
     * after it cannot make the note's retry create it again.
     */
    public void noteWritten(String noteKey, String id) {
        notesWritten(Map.of(noteKey, id));
    }

    private void record(Map<String, Integer> writers, Map<String, CrmWriteVersions.Written> locked, Map<String, String> ids) {
        List<CrmWriteVersions.Write> written = new ArrayList<>();
        writers.forEach((key, i) -> {
            String id = ids.get(key);
            if (id != null) {
                written.add(new CrmWriteVersions.Write(locked.get(key), id, changes.get(i).sourceUpdatedAt(), changes.get(i).eventId()));
            }
        });
        versions.writtenAll(written);
    }

    /** Fails every not yet failed change whose {@code keyOf} is {@code key}: they are retried alone. */
    public void fail(Function<CrmChange, String> keyOf, String key, RuntimeException failure) {
        for (int i = 0; i < changes.size(); i++) {
            if (failures[i] == null && !stale[i] && key.equals(keyOf.apply(changes.get(i)))) {
                failures[i] = failure;
            }
        }
    }

    /** Fails one change: it is retried alone. */
    public void fail(int index, RuntimeException failure) {
        if (failures[index] == null) {
            failures[index] = failure;
        }
    }

    /** One outcome per change, in order: stale, failed (retried alone) or applied. */
    public List<BatchOutcome> outcomes() {
        List<BatchOutcome> outcomes = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            outcomes.add(stale[i] ? BatchOutcome.of(CrmWriteResult.STALE)
                    : failures[i] != null ? BatchOutcome.failed(failures[i]) : BatchOutcome.of(CrmWriteResult.APPLIED));
        }
        return outcomes;
    }

    private List<String> keys(Function<CrmChange, String> keyOf) {
        return changes.stream().map(keyOf).filter(Objects::nonNull).toList();
    }
}
