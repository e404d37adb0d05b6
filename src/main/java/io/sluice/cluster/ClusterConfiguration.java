package io.sluice.cluster;

import io.sluice.inbox.ClaimOwner;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.UUID;

/**
 * The Camel cluster service that decides which replica leads (Camel Spring Boot adds it to the Camel context, where
 * the {@code master:} endpoints find it): a lock in the shared database by default, a Kubernetes Lease with
 * {@code sluice.cluster.leader=kubernetes}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ClusterProperties.class)
class ClusterConfiguration {

    /** The lock rows (table {@code sluice_lock}, made by Flyway); a row not renewed within the lease is free. */
    @Bean
    @ConditionalOnProperty(name = "sluice.cluster.leader", havingValue = "database", matchIfMissing = true)
    DefaultLockRepository leaderLockRepository(DataSource dataSource, PlatformTransactionManager transactions,
                                               ClusterProperties cluster) {
        // its client id is a UUID column: one per process start, which is what a holder is
        DefaultLockRepository repository = new DefaultLockRepository(dataSource, UUID.randomUUID().toString());
        repository.setPrefix("SLUICE_");
        repository.setRegion("sluice");
        repository.setTimeToLive(Math.toIntExact(cluster.leaderLease().toMillis()));
        repository.setTransactionManager(transactions);
        return repository;
    }

    @Bean
    @ConditionalOnProperty(name = "sluice.cluster.leader", havingValue = "database", matchIfMissing = true)
    DatabaseClusterService databaseClusterService(DefaultLockRepository repository, ClaimOwner owner, ClusterProperties cluster) {
        Duration heartbeat = heartbeat(cluster);
        JdbcLockRegistry locks = new JdbcLockRegistry(repository);
        locks.setIdleBetweenTries(heartbeat.dividedBy(3));
        return new DatabaseClusterService(locks, owner.name(), heartbeat);
    }

    /** Camel's Lease-based leader election; the pod's name (its host name) is its identity. */
    @Bean
    @ConditionalOnProperty(name = "sluice.cluster.leader", havingValue = "kubernetes")
    KubernetesClusterService kubernetesClusterService(ClusterProperties cluster) {
        // the client's settings go in a configuration of their own: without one, Camel 4.18 ignores the service's
        // master URL and namespace setters and always connects to the in-cluster API server
        KubernetesConfiguration client = new KubernetesConfiguration();
        client.setMasterUrl(cluster.kubernetes().apiUrl());
        client.setNamespace(cluster.kubernetes().namespace()); // where the pods are listed
        KubernetesClusterService service = new KubernetesClusterService(client);
        service.setId("sluice-kubernetes");
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesResourceName(cluster.kubernetes().leaseName());
        if (cluster.kubernetes().namespace() != null) {
            service.setKubernetesResourcesNamespace(cluster.kubernetes().namespace()); // where the Lease is kept
        }
        if (cluster.kubernetes().podName() != null) {
            service.setPodName(cluster.kubernetes().podName());
        }
        long lease = cluster.leaderLease().toMillis();
        service.setLeaseDurationMillis(lease);
        service.setRenewDeadlineMillis(lease * 2 / 3);
        service.setRetryPeriodMillis(heartbeat(cluster).toMillis());
        return service;
    }

    /**
     * Adds the cluster service to the Camel context before the routes start, so the {@code master:} endpoints find it
     * (and Camel starts and stops it with the context).
     */
    @Bean
    CamelContextConfiguration clusterServiceRegistration(CamelClusterService service) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                if (!context.hasService(service)) {
                    try {
                        context.addService(service, true, true);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start the cluster service " + service.getId(), e);
                    }
                }
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
            }
        };
    }

    /** How often the leader renews, and the others try: a fifth of the lease, so a slow renewal or two do not lose it. */
    private static Duration heartbeat(ClusterProperties cluster) {
        return cluster.leaderLease().dividedBy(5);
    }
}
