package io.sluice.inbox;

/**
 * Work that follows an applied change (a lead score to request, a contract to send), whichever path applied it. The
 * batch path calls every one of them; the single path calls each from its own route step (routes/process-events.camel.yaml).
 * Each stores what it starts under a once-key, so running it again for the same event asks for nothing twice.
 */
public interface AppliedChangeFollowUp {

    /**
     * @param event     the event whose change was applied
     * @param duplicate the change had been applied before, by a sibling with the same change, and nothing was written now
     */
    void afterApplied(StoredEvent event, boolean duplicate) throws Exception;

    /** {@link #afterApplied} for each of a batch's events; a follow-up that stores its requests together overrides it. */
    default void afterAppliedAll(java.util.List<StoredEvent> events, boolean duplicate) throws Exception {
        for (StoredEvent event : events) {
            afterApplied(event, duplicate);
        }
    }
}
