package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import io.sluice.mapping.CrmFieldSchema;

import java.util.List;
import java.util.Map;

/** Writes mapped changes to one CRM provider as keyed upserts, so that a replay is harmless. */
public interface CrmConnector extends io.sluice.mapping.MappingTarget {

    /** The {@code CRM_PROVIDER} value that selects this connector; also the mapping file's name. */
    @Override
    String provider();

    /** The fields this provider accepts, to validate its mapping against. */
    @Override
    CrmFieldSchema fieldSchema();

    /** Applies one change; must be idempotent for the same change and never let an older change win. */
    CrmWriteResult apply(CrmChange change);

    /**
     * Checks the credential and that the CRM has what {@code requirements} writes, with as few calls as it can
     * (run at start and then every {@code sluice.crm.check-interval}). Providers without a check say so.
     */
    default CrmCheck check(CrmRequirements requirements) {
        return CrmCheck.notChecked();
    }

    /**
     * The requests {@link #apply} would send for this change, without sending them (ids the CRM assigns appear as
     * placeholders). Empty for a provider without HTTP requests.
     */
    default List<Map<String, Object>> preview(CrmChange change) {
        return List.of();
    }

    /** How many changes one {@link #applyBatch} call takes; 1 means this provider has no batch writes. */
    default int batchSize() {
        return 1;
    }

    /**
     * Whether live events (webhooks, lead scores) are written in batches too, not only pulled records: for a provider
     * whose {@link #applyBatch} costs no more per change than {@link #apply} and spends no remote budget on waiting
     * for a batch to fill.
     */
    default boolean groupsLiveEvents() {
        return false;
    }

    /**
     * Applies several changes (pulled records of a backfill) with the provider's batch calls; one outcome per change,
     * in order. A change that fails here is retried alone through {@link #apply}. Throws when the batch as a whole
     * could not be written (then every change is retried alone).
     */
    default List<BatchOutcome> applyBatch(List<CrmChange> changes) {
        List<BatchOutcome> outcomes = new java.util.ArrayList<>(changes.size());
        for (CrmChange change : changes) {
            try {
                outcomes.add(BatchOutcome.of(apply(change)));
            } catch (RuntimeException e) {
                outcomes.add(BatchOutcome.failed(e));
            }
        }
        return outcomes;
    }
}
