package io.sluice.crm;

import io.sluice.mapping.CrmFieldSchema;

import java.util.List;
import java.util.Map;

/** Writes mapped changes to one CRM provider as keyed upserts, so that a replay is harmless. */
public interface CrmConnector {

    /** The {@code CRM_PROVIDER} value that selects this connector; also the mapping file's name. */
    String provider();

    /** The fields this provider accepts, to validate its mapping against. */
    CrmFieldSchema fieldSchema();

    /** Applies one change; must be idempotent for the same change and never let an older change win. */
    CrmWriteResult apply(CrmChange change);

    /**
     * The requests {@link #apply} would send for this change, without sending them (ids the CRM assigns appear as
     * placeholders). Empty for a provider without HTTP requests.
     */
    default List<Map<String, Object>> preview(CrmChange change) {
        return List.of();
    }
}
