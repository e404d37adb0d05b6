package io.sluice.processing;

import java.util.List;

/**
 * What the claimer hands to processing: one event for the single-event path, one pulled record for the batch path's
 * aggregator ({@code batched}: a backfill into a CRM with batch writes), or a group of live events claimed together
 * that goes to the CRM's batch writes as it is ({@code group}: a CRM whose batches cost nothing extra, the local one).
 */
// the factories' names differ from the accessors': the routes' simple expressions (${body.group}) call those by name
public record Claim(String id, boolean batched, List<String> group) {

    static Claim singleEvent(String id) {
        return new Claim(id, false, null);
    }

    static Claim pulledRecord(String id) {
        return new Claim(id, true, null);
    }

    static Claim groupOf(List<String> ids) {
        return new Claim(null, false, List.copyOf(ids));
    }

    public boolean grouped() {
        return group != null;
    }
}
