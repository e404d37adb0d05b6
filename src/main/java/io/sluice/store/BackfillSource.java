package io.sluice.store;

/**
 * A source whose events come in bulk (a backfill's pulled records): the claimer hands them to the CRM's batch calls
 * where the CRM has them, and claims them only a few batches ahead of the writers, so the rest of a long backfill
 * waits in the inbox instead of in memory.
 */
public interface BackfillSource {

    /** The {@code event_log.source} of these events. */
    String source();
}
