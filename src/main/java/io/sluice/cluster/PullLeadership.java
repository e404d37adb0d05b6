package io.sluice.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inbox.ClaimOwner;
import io.sluice.status.StatusContributor;
import org.apache.camel.cluster.CamelClusterService;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether this replica leads the scheduled Whop pulls (the {@code whop-poll} route reads from
 * {@code master:whop-pulls:…}), for the status page and the {@code sluice_cluster_leader} gauge: 1 on the leader, 0
 * on the others, so the sum over replicas is 1 while pulls are scheduled and 0 while no replica leads.
 */
@Component
@Order(15)
public class PullLeadership implements StatusContributor {

    /** The Camel master namespace of the scheduled pulls, and the name of their lock or Lease. */
    public static final String NAMESPACE = "whop-pulls";

    private final CamelClusterService service;
    private final ClusterProperties cluster;
    private final ClaimOwner owner;

    public PullLeadership(CamelClusterService service, ClusterProperties cluster, ClaimOwner owner, MeterRegistry registry) {
        this.service = service;
        this.cluster = cluster;
        this.owner = owner;
        Gauge.builder("sluice.cluster.leader", () -> leading() ? 1 : 0)
                .description("1 while this replica leads the scheduled Whop pulls, else 0")
                .register(registry);
    }

    public boolean leading() {
        return service.isLeader(NAMESPACE);
    }

    /** {@code cluster}: this replica's name, how the pulls' leader is elected, and whether it is this replica. */
    @Override
    public void contribute(Map<String, Object> status) {
        Map<String, Object> replica = new LinkedHashMap<>();
        replica.put("instance", owner.name());
        replica.put("leaderElection", cluster.leader().name());
        replica.put("leadsPulls", leading());
        status.put("cluster", replica);
    }
}
