package io.sluice.crm;

import io.sluice.mapping.CrmChange;

/**
 * One change while {@link CrmWriteTemplate} writes it: its keys, the ids the CRM already has for its objects, and
 * the few things a provider's recovery may record (a person found again, an object the CRM lost). Lives inside the
 * write's leases.
 */
public final class ChangeWrite {

    private final CrmChange change;
    private final LockedChange locked;
    private final CrmWriteVersions versions;
    private final String provider;
    private String personId;
    private boolean personFoundAgain;
    private String noteOpportunityId;
    private boolean noteOpportunityRead;

    ChangeWrite(CrmChange change, LockedChange locked, CrmWriteVersions versions, String provider) {
        this.change = change;
        this.locked = locked;
        this.versions = versions;
        this.provider = provider;
        this.personId = locked.person() == null ? null : locked.person().remoteId();
    }

    public CrmChange change() {
        return change;
    }

    public String email() {
        return ChangeKeys.email(change);
    }

    public String membershipId() {
        return ChangeKeys.membershipId(change);
    }

    public String noteKey() {
        return ChangeKeys.noteKey(change);
    }

    /** The membership the note is about, when it names one. */
    public String noteMembershipId() {
        return ChangeKeys.noteMembershipId(change);
    }

    /** Whether this change's person fields are new enough to be written (they are, when {@link #writePerson} runs). */
    public boolean personNewer() {
        return locked.personNewer();
    }

    /** The CRM's id of the person: remembered from an earlier write, or the one just written; null when unknown. */
    public String personId() {
        return personId;
    }

    /** The CRM's id of the opportunity remembered from an earlier write; null when none. */
    public String rememberedOpportunityId() {
        return locked.opportunity() == null ? null : locked.opportunity().remoteId();
    }

    /** The CRM's id of the note remembered from an earlier write; null when none. */
    public String rememberedNoteId() {
        return locked.note() == null ? null : locked.note().remoteId();
    }

    /** The CRM's id of the opportunity of the note's membership, when one was written; null otherwise. */
    public String noteOpportunityId() {
        String membership = noteMembershipId();
        if (!noteOpportunityRead && membership != null) {
            noteOpportunityId = versions.remoteId(provider, "opportunity", membership).orElse(null);
            noteOpportunityRead = true;
        }
        return noteOpportunityId;
    }

    /**
     * The CRM lost the remembered person and it was found again by email under {@code id}; {@code createdAgain} when
     * the CRM had nothing of it left (deleted, not merged into another record). Then, when this change's person fields
     * are older than what was written before, the CRM holds only what this write sent: the source time is forgotten,
     * so the person's next change writes it fully. A person merged into another keeps its fields and its time.
     */
    public void personFoundAgain(String id, boolean createdAgain) {
        if (createdAgain && !locked.personNewer()) {
            versions.refound(locked.person(), id);
        } else {
            versions.rememberRemoteId(locked.person(), id);
        }
        personId = id;
        personFoundAgain = true;
    }

    void personWritten(String id) {
        personId = id;
    }

    /** Whether {@link #personFoundAgain} ran for this change: a second loss is not healed again. */
    public boolean personWasFoundAgain() {
        return personFoundAgain;
    }

    /** The CRM lost the remembered person: its id is forgotten (its source time kept), to be looked up again. */
    public void personLost() {
        versions.forgetRemoteId(locked.person());
        personId = null;
    }

    /** The CRM lost the remembered opportunity: its id is forgotten (its source time kept), to be looked up again. */
    public void opportunityLost() {
        versions.forgetRemoteId(locked.opportunity());
    }

    /**
     * The CRM lost the opportunity of the note's membership (deleted there): it is forgotten, id and source time,
     * so that membership's next change writes it again; the note then counts as written before it.
     */
    public void noteOpportunityLost() {
        versions.forget(provider, "opportunity", noteMembershipId());
        noteOpportunityId = null;
        noteOpportunityRead = true;
    }
}
