package io.sluice.inbox;

import java.time.Instant;

/**
 * Work other than inbox events that this process holds under its name ({@link ClaimOwner}) with a lease, such as a
 * running Whop pull: {@link ClaimLeases} renews it on the claims' own timer, so it lives and lapses with them.
 */
public interface LeasedWork {

    /** Extends to {@code until} the leases of what {@code owner} (this process) holds; throws when the database is away. */
    void renewLeases(String owner, Instant until);

    /**
     * Whether this process's renewals have all succeeded for a whole lease, on each tick: only then may it take over
     * what others let lapse (after a start or a database outage, the others may not have been able to renew either).
     */
    default void renewalsHealthy(boolean healthy) {
    }
}
