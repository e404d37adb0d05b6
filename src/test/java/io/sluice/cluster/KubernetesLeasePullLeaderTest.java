package io.sluice.cluster;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.SluiceApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader election on a Kubernetes Lease ({@code sluice.cluster.leader=kubernetes}), against fabric8's mock API server
 * keeping what it is sent: of two replicas exactly one leads the pulls and holds the Lease; when it stops and its pod
 * is gone, the other takes the Lease over and leads.
 */
class KubernetesLeasePullLeaderTest {

    private static final String NAMESPACE = "sluice-test";
    private static final String LEASE = "sluice-whop-pulls";

    /** Keeps what it is sent (CRUD), over plain HTTP. */
    private final KubernetesMockServer kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    private KubernetesClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void apiServerWithTwoPods() {
        kubernetes.init();
        client = kubernetes.createClient();
        // Camel leads only from a pod it finds running and ready in the namespace
        for (String pod : List.of("sluice-a", "sluice-b")) {
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                    .withNewMetadata().withName(pod).withNamespace(NAMESPACE).withLabels(Map.of("app.kubernetes.io/name", "sluice")).endMetadata()
                    .withNewStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewContainerStatus().withName("sluice").withReady(true).endContainerStatus()
                    .endStatus().build()).create();
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(ConfigurableApplicationContext::close);
        client.close();
        kubernetes.destroy();
    }

    @Test
    void oneReplicaHoldsTheLeaseAndTheOtherTakesItOverWhenItStops() {
        ConfigurableApplicationContext a = replica("sluice-a");
        ConfigurableApplicationContext b = replica("sluice-b");

        await().atMost(Duration.ofSeconds(30)).until(() -> leads(a) || leads(b));
        ConfigurableApplicationContext leader = leads(a) ? a : b;
        ConfigurableApplicationContext other = leader == a ? b : a;
        String leaderPod = leader == a ? "sluice-a" : "sluice-b";
        assertThat(leads(other)).as("the other replica leads too").isFalse();
        assertThat(holder()).isEqualTo(leaderPod);

        // a pod stopped in Kubernetes leaves the namespace's ready pods: Camel then hands the Lease over
        leader.close();
        client.pods().inNamespace(NAMESPACE).withName(leaderPod).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> leads(other));
        assertThat(holder()).isEqualTo(leader == a ? "sluice-b" : "sluice-a");
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        assertThat(lease).as("the Lease " + LEASE).isNotNull();
        return lease.getSpec().getHolderIdentity();
    }

    private static boolean leads(ConfigurableApplicationContext replica) {
        return replica.isActive() && replica.getBean(PullLeadership.class).leading();
    }

    private ConfigurableApplicationContext replica(String pod) {
        List<String> settings = List.of("server.port=0", "sluice.data-dir=" + dir.resolve(pod), "sluice.routes.reload=false",
                "sluice.admin.token=lease-test-token-0123456789", "sluice.ai.enrich-on=", "spring.jmx.unique-names=true",
                "sluice.cluster.leader=kubernetes", "sluice.cluster.leader-lease=3s",
                "sluice.cluster.kubernetes.api-url=" + client.getMasterUrl(), "sluice.cluster.kubernetes.namespace=" + NAMESPACE,
                "sluice.cluster.kubernetes.pod-name=" + pod);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SluiceApplication.class)
                .run(settings.stream().map(s -> "--" + s).toArray(String[]::new));
        replicas.add(context);
        return context;
    }
}
