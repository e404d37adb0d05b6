package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How every provider writes one change (docs/architecture.md, "Writing to a CRM"): the rows of its person,
 * opportunity and note leased in {@code crm_write_version}; nothing written when the CRM already holds newer
 * changes of them; then the person, the opportunity (linking the notes that waited for it) and the note, each only
 * when this change is new enough for it, each recorded with its CRM id as soon as it is written. The provider's
 * {@link CrmRecordWrites} sends the requests.
 */
public final class CrmWriteTemplate {

    private final String provider;
    private final CrmWriteVersions versions;
    private final CrmWriteLeases leases;
    private final PendingNoteLinks pendingLinks;

    public CrmWriteTemplate(String provider, CrmWriteVersions versions, CrmWriteLeases leases, PendingNoteLinks pendingLinks) {
        this.provider = provider;
        this.versions = versions;
        this.leases = leases;
        this.pendingLinks = pendingLinks;
    }

    public CrmWriteResult apply(CrmChange change, CrmRecordWrites writes) {
        return leases.run(() -> applyLocked(change, writes));
    }

    /**
     * The batch path's version: every key of {@code changes} leased and planned ({@link BatchPlan}), then
     * {@code writer} sends the provider's batch calls and reports into the plan; one outcome per change, in order.
     */
    public List<BatchOutcome> applyBatch(List<CrmChange> changes, java.util.function.Consumer<BatchPlan> writer) {
        return leases.run(() -> {
            BatchPlan plan = BatchPlan.lock(versions, provider, changes);
            writer.accept(plan);
            return plan.outcomes();
        });
    }

    private CrmWriteResult applyLocked(CrmChange change, CrmRecordWrites writes) {
        LockedChange locked = LockedChange.lock(versions, provider, change);
        if (locked.stale()) {
            return CrmWriteResult.STALE; // the subject already holds a newer change: write nothing
        }
        ChangeWrite write = new ChangeWrite(change, locked, versions, provider);
        if (locked.personNewer()) {
            String personId = writes.writePerson(write);
            write.personWritten(personId);
            versions.written(locked.person(), personId, change.sourceUpdatedAt(), change.eventId());
        }
        if (locked.opportunityNewer()) {
            String opportunityId = writes.writeOpportunity(write);
            versions.written(locked.opportunity(), opportunityId, change.sourceUpdatedAt(), change.eventId());
            if (writes.linksNotesLater()) {
                linkWaitingNotes(writes, write.membershipId(), opportunityId);
            }
        }
        if (locked.noteNewer()) {
            String noteId = writes.writeNote(write);
            if (writes.linksNotesLater() && write.noteMembershipId() != null && write.noteOpportunityId() == null) {
                awaitOpportunity(write.noteKey(), write.noteMembershipId());
            }
            versions.written(locked.note(), noteId, change.sourceUpdatedAt(), change.eventId());
        }
        return CrmWriteResult.APPLIED;
    }

    /** A note written before its membership's opportunity: linked when that opportunity is written. */
    public void awaitOpportunity(String noteKey, String membershipId) {
        pendingLinks.remember(provider, noteKey, membershipId);
    }

    /**
     * Links the notes that waited for a just written opportunity. Call with the opportunity's row locked: a note of
     * it written meanwhile sees the opportunity, or waits here.
     */
    public void linkWaitingNotes(CrmRecordWrites writes, String membershipId, String opportunityId) {
        List<String> waiting = pendingLinks.notesOf(provider, membershipId);
        if (waiting.isEmpty()) {
            return;
        }
        Map<String, String> noteIds = new LinkedHashMap<>();
        waiting.forEach(noteKey -> noteIds.put(noteKey, versions.remoteId(provider, "note", noteKey).orElse(null)));
        writes.linkWaitingNotes(membershipId, opportunityId, noteIds);
        pendingLinks.linked(provider, waiting);
    }
}
