package io.sluice.webhook;

import io.sluice.support.OnPostgres;

/** The ingress contract on PostgreSQL. */
@OnPostgres
class WhopIngressPostgresTest extends WhopIngressContract {
}
