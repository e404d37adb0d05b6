package io.sluice.crm;

import io.sluice.mapping.CrmFieldSchema;

/** Writes mapped changes to one CRM provider as keyed upserts, so that a replay is harmless. */
public interface CrmConnector {

    /** The {@code CRM_PROVIDER} value that selects this connector; also the mapping file's name. */
    String provider();

    /** The fields this provider accepts, to validate its mapping against. */
    CrmFieldSchema fieldSchema();

    /** Applies one change; must be idempotent for the same change and never let an older change win. */
    CrmWriteResult apply(CrmChange change);
}
