package io.sluice.processing;

import io.sluice.support.OnPostgres;

/** Processing semantics on PostgreSQL. */
@OnPostgres
class EventProcessingPostgresTest extends EventProcessingContract {
}
