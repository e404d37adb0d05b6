package io.sluice.crm;

import java.util.List;

/**
 * Compares the records a full Whop sync saw (table {@code whop_sync_item}) with what the CRM holds. A connector
 * that can answer cheaply implements it; reconciliation is unavailable for the others.
 */
public interface CrmReconciler {

    /** The provider this reconciler reads. */
    String provider();

    /**
     * @param sampleLimit how many differing ids to list of each kind (the counts are complete)
     */
    Comparison compare(String runId, String resource, int sampleLimit);

    /** Every record id of the run that is missing from the CRM or older there than in Whop, up to {@code limit}. */
    List<String> differing(String runId, String resource, int limit);

    /**
     * @param whop          records the run saw
     * @param crm           records of that kind the CRM holds (from any source)
     * @param notComparable records the CRM cannot hold (a member whose user was deleted, say)
     */
    record Comparison(long whop, long crm, long notComparable, long missingCount, long staleCount, List<String> missing,
                      List<String> stale) {
    }
}
