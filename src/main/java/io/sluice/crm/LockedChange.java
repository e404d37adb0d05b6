package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import io.sluice.crm.CrmWriteVersions;

/**
 * A change with the rows of its person, opportunity and note leased in {@code crm_write_version} (in that order for
 * every event: no deadlocks between events), and which of them it is new enough to write. A note that names a
 * membership also locks that membership's opportunity row (in the opportunity's place in the order): the note and
 * a concurrent write of that opportunity then see each other, so the note is linked to it whichever came first.
 * Call inside {@link io.sluice.crm.CrmWriteLeases#run}, which spans the CRM write.
 */
record LockedChange(CrmWriteVersions.Written person, CrmWriteVersions.Written opportunity, CrmWriteVersions.Written note,
                           boolean personNewer, boolean opportunityNewer, boolean noteNewer) {

    public static LockedChange lock(CrmWriteVersions versions, String provider, CrmChange change) {
        String email = ChangeKeys.email(change);
        String membershipId = ChangeKeys.membershipId(change);
        String noteKey = ChangeKeys.noteKey(change);
        String noteMembership = ChangeKeys.noteMembershipId(change);
        CrmWriteVersions.Written person = email == null ? null : versions.lock(provider, "person", email);
        // the change's opportunity and its note's, in key order like every other lock of one kind
        java.util.SortedSet<String> memberships = new java.util.TreeSet<>();
        if (membershipId != null) {
            memberships.add(membershipId);
        }
        if (noteKey != null && noteMembership != null) {
            memberships.add(noteMembership);
        }
        CrmWriteVersions.Written opportunity = null;
        for (String key : memberships) {
            CrmWriteVersions.Written locked = versions.lock(provider, "opportunity", key);
            if (key.equals(membershipId)) {
                opportunity = locked;
            }
        }
        CrmWriteVersions.Written note = noteKey == null ? null : versions.lock(provider, "note", noteKey);
        boolean unordered = change.enrichment(); // its fields are its own: no Whop change is newer than them
        return new LockedChange(person, opportunity, note,
                person != null && (unordered || person.acceptsChangeAt(change.sourceUpdatedAt())),
                opportunity != null && opportunity.acceptsChangeAt(change.sourceUpdatedAt()),
                note != null && (unordered || note.acceptsChangeAt(change.sourceUpdatedAt())));
    }

    /** The change has an opportunity or a note and the CRM already holds newer changes of both: write nothing. */
    public boolean stale() {
        return (opportunity != null || note != null) && !opportunityNewer && !noteNewer;
    }
}
