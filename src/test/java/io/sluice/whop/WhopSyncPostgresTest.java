package io.sluice.whop;

import io.sluice.support.OnPostgres;

@OnPostgres
class WhopSyncPostgresTest extends WhopSyncContract {
}
