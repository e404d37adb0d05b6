package io.sluice.cluster;

import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.springframework.integration.support.locks.LockRegistry;

import java.time.Duration;

/**
 * A Camel cluster service whose leadership is a lock in the shared database: Spring Integration's JDBC lock registry
 * holds it, and its leader initiator contends for it and renews it. One view, and one lock, per Camel master
 * namespace; a lock its holder stops renewing for {@code sluice.cluster.leader-lease} goes to another replica.
 */
public class DatabaseClusterService extends AbstractCamelClusterService<DatabaseClusterView> {

    private final LockRegistry locks;
    private final String memberId;
    private final Duration heartbeat;

    public DatabaseClusterService(LockRegistry locks, String memberId, Duration heartbeat) {
        super("sluice-database");
        this.locks = locks;
        this.memberId = memberId;
        this.heartbeat = heartbeat;
    }

    @Override
    protected DatabaseClusterView createView(String namespace) {
        return new DatabaseClusterView(this, namespace, locks, memberId, heartbeat);
    }
}
