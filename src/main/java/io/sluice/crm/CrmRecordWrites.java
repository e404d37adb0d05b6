package io.sluice.crm;

import java.util.Map;

/**
 * What one CRM provider sends to write the parts of a change, and how it reads the answers: the requests and their
 * recoveries only. The order, the stale guard, the leases and what is recorded afterwards are
 * {@link CrmWriteTemplate}'s, the same for every provider.
 */
public interface CrmRecordWrites {

    /** Writes the change's person (upsert by email); answers the CRM's id of it. */
    String writePerson(ChangeWrite write);

    /** Writes the change's opportunity (upsert by membership), linked to {@link ChangeWrite#personId()}; answers its id. */
    String writeOpportunity(ChangeWrite write);

    /** Writes the change's note, linked to the person and to {@link ChangeWrite#noteOpportunityId()}; answers its id. */
    String writeNote(ChangeWrite write);

    /**
     * True when this provider links a note to its membership's opportunity after the fact: a note written before
     * that opportunity then waits in {@link PendingNoteLinks} and {@link #linkWaitingNotes} links it.
     */
    default boolean linksNotesLater() {
        return false;
    }

    /**
     * Links to a just written opportunity the notes that waited for it (note key to the CRM's note id, null when
     * unknown). A note the CRM no longer has must not fail the opportunity's change: skip it.
     */
    default void linkWaitingNotes(String membershipId, String opportunityId, Map<String, String> noteIds) {
    }
}
