package io.sluice.event;

/** Where an event is in its life; docs/operations.md describes each. */
public enum EventStatus {
    /** Stored durably, waiting to be processed. */
    RECEIVED,
    /**
     * Its last try failed in a way that waiting can heal (the CRM down, slow or rate-limiting): it is claimed again at
     * its next attempt time, until the retry horizon has passed.
     */
    WAITING,
    /** Claimed by a processor. */
    PROCESSING,
    /** Applied to the CRM (or found already applied). */
    DONE,
    /** A type Sluice does not handle: stored, not applied. */
    IGNORED,
    /** Older than what the CRM already holds for its subject: skipped. */
    STALE,
    /** Failed after every retry: a dead letter, replayable. */
    DEAD,
    /** Signed but unusable (not JSON, no type or data): kept for operators, never applied. */
    REJECTED
}
