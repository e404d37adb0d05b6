package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes overlays (k8s/overlays/production and dev) as kubectl renders them: every object valid for its
 * type, and a Deployment that runs Sluice as application.yaml configures it (port, health groups, shutdown), with
 * every route and mapping file mounted where Sluice reads them, RBAC for the pulls Lease, and no secret value.
 */
class KubernetesManifestsTest {

    private static final String PRODUCTION = "k8s/overlays/production";
    private static final String DEV = "k8s/overlays/dev";
    private static final JsonNode APPLICATION = MonitoringFiles.yaml(Path.of("src/main/resources/application.yaml"));

    @Test
    void bothOverlaysRenderAndEachObjectIsValidForItsKubernetesType() {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            RenderedManifests rendered = RenderedManifests.of(overlay);
            assertThat(rendered.all(Deployment.class)).as(overlay).hasSize(1);
            assertThat(rendered.all(Service.class)).as(overlay).hasSize(1);
        }
    }

    @Test
    void theStrictReadRefusesAFieldItsTypeDoesNotHave() throws IOException {
        JsonNode misspelt = MonitoringFiles.YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: sluice }
                spec:
                  template:
                    spec:
                      containers:
                        - name: sluice
                          readinesProbe: { httpGet: { path: /actuator/health/readiness, port: http } }
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RenderedManifests.strictly(misspelt, Deployment.class))
                .hasMessageContaining("readinesProbe");
    }

    @Test
    void probesAskTheActuatorHealthGroupsOnTheServerPort() {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            Container sluice = container(RenderedManifests.of(overlay));
            int port = APPLICATION.path("server").path("port").asInt();
            assertThat(sluice.getPorts()).anySatisfy(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(port);
            });
            JsonNode health = APPLICATION.path("management").path("endpoint").path("health");
            assertThat(health.path("probes").path("enabled").asBoolean()).isTrue();
            assertThat(health.path("group").has("liveness")).isTrue();
            assertThat(health.path("group").has("readiness")).isTrue();
            assertHttpProbe(sluice.getLivenessProbe(), "/actuator/health/liveness");
            assertHttpProbe(sluice.getReadinessProbe(), "/actuator/health/readiness");
            assertHttpProbe(sluice.getStartupProbe(), "/actuator/health/liveness");
        }
    }

    @Test
    void resourcesAreBoundedAndTheContainerRunsAsNonRootOnAReadOnlyFilesystem() {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            RenderedManifests rendered = RenderedManifests.of(overlay);
            PodSpec pod = pod(rendered);
            Container sluice = container(rendered);
            for (String resource : List.of("cpu", "memory")) {
                assertThat(sluice.getResources().getRequests()).as("requests").containsKey(resource);
                assertThat(sluice.getResources().getLimits()).as("limits").containsKey(resource);
            }
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
            assertThat(sluice.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(sluice.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            // what Sluice writes (the data dir: H2, generated secrets) and the JVM's temporary files are emptyDirs
            for (String writable : List.of(env(sluice, "SLUICE_DATA_DIR").orElseThrow(), "/tmp")) {
                assertThat(volumeAt(pod, sluice, writable).getEmptyDir()).as(writable).isNotNull();
            }
        }
    }

    @Test
    void aStoppingPodLeavesTheServiceFirstAndGetsTimeForSpringsGracefulShutdown() {
        assertThat(APPLICATION.path("server").path("shutdown").asText()).isEqualTo("graceful");
        Duration springShutdown = Optional.ofNullable(APPLICATION.at("/spring/lifecycle/timeout-per-shutdown-phase").textValue())
                .map(org.springframework.boot.convert.DurationStyle::detectAndParse).orElse(Duration.ofSeconds(30));
        Duration camelShutdown = Duration.ofSeconds(APPLICATION.at("/camel/main/shutdown-timeout").asLong(45));
        for (String overlay : List.of(PRODUCTION, DEV)) {
            RenderedManifests rendered = RenderedManifests.of(overlay);
            List<String> preStop = container(rendered).getLifecycle().getPreStop().getExec().getCommand();
            assertThat(preStop.get(0)).isEqualTo("sleep");
            long sleep = Long.parseLong(preStop.get(1));
            assertThat(sleep).isPositive();
            // the web server's graceful phase, then the Camel context's own (its routes finish or hand back their work)
            assertThat(pod(rendered).getTerminationGracePeriodSeconds())
                    .isGreaterThan(sleep + springShutdown.toSeconds() + camelShutdown.toSeconds());
        }
    }

    @Test
    void everyRouteAndMappingFileIsInItsConfigMapAndMountedWhereSluiceReadsIt() throws IOException {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            RenderedManifests rendered = RenderedManifests.of(overlay);
            PodSpec pod = pod(rendered);
            Container sluice = container(rendered);

            Map<String, String> routes = files(Path.of("routes"), RouteFilesOnly.ROUTES);
            Volume routesVolume = volumeAt(pod, sluice, env(sluice, "SLUICE_ROUTES_DIR").orElseThrow());
            ConfigMap routesMap = rendered.one(ConfigMap.class, routesVolume.getConfigMap().getName());
            Map<String, String> mounted = routesVolume.getConfigMap().getItems().stream()
                    .collect(Collectors.toMap(KeyToPath::getPath, item -> routesMap.getData().getOrDefault(item.getKey(), "<no key " + item.getKey() + ">")));
            assertThat(mounted).as("route files as mounted from %s", routesMap.getMetadata().getName()).isEqualTo(routes);
            assertThat(routesMap.getData()).hasSameSizeAs(routes);

            Map<String, String> mappings = files(Path.of("mappings"), RouteFilesOnly.MAPPINGS);
            Volume mappingsVolume = volumeAt(pod, sluice, env(sluice, "SLUICE_MAPPINGS_DIR").orElseThrow());
            assertThat(mappingsVolume.getConfigMap().getItems()).as("every key, as its own file").isNullOrEmpty();
            assertThat(rendered.one(ConfigMap.class, mappingsVolume.getConfigMap().getName()).getData()).isEqualTo(mappings);
        }
    }

    @Test
    void noRenderedObjectIsASecretAndTheTemplateHoldsOnlyPlaceholders() throws IOException {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            assertThat(RenderedManifests.of(overlay).all(Secret.class)).as(overlay + " must never overwrite the real Secret").isEmpty();
        }
        Secret template = RenderedManifests.strictly(MonitoringFiles.yaml(Path.of(PRODUCTION, "secret.template.yaml")), Secret.class);
        assertThat(template.getData()).isNullOrEmpty();
        assertThat(template.getStringData()).isNotEmpty().allSatisfy((key, value) -> assertThat(value).as(key).isEqualTo("REPLACE_ME"));
        assertThat(template.getStringData()).containsKeys("SLUICE_ENCRYPTION_KEY", "SLUICE_ADMIN_TOKEN", "SPRING_DATASOURCE_PASSWORD");
        Container sluice = container(RenderedManifests.of(PRODUCTION));
        assertThat(sluice.getEnvFrom()).anySatisfy(source -> {
            assertThat(source.getSecretRef().getName()).isEqualTo(template.getMetadata().getName());
            assertThat(source.getSecretRef().getOptional()).isFalse();
        });
        assertThat(sluice.getEnv()).noneSatisfy(env -> assertThat(template.getStringData()).containsKey(env.getName()));
    }

    @Test
    void thePodsServiceAccountMayHoldTheLeaseAndListThePods() {
        for (String overlay : List.of(PRODUCTION, DEV)) {
            RenderedManifests rendered = RenderedManifests.of(overlay);
            String account = pod(rendered).getServiceAccountName();
            assertThat(account).isNotBlank();
            RoleBinding binding = rendered.all(RoleBinding.class).stream()
                    .filter(b -> b.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind()) && account.equals(s.getName())))
                    .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding for " + account));
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            Role role = rendered.one(Role.class, binding.getRoleRef().getName());
            assertThat(grants(role, "coordination.k8s.io", "leases"))
                    .contains("get", "list", "watch", "create", "update", "patch");
            assertThat(grants(role, "", "pods")).contains("get", "list");
        }
    }

    @Test
    void productionRunsThreeReplicasOnPostgresWithALeaseAutoscalingADisruptionBudgetAndMonitoring() throws IOException {
        RenderedManifests rendered = RenderedManifests.of(PRODUCTION);
        Deployment deployment = rendered.all(Deployment.class).get(0);
        Container sluice = container(rendered);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(env(sluice, "SLUICE_CLUSTER_LEADER")).contains("kubernetes");
        assertThat(sluice.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("SLUICE_CLUSTER_KUBERNETES_NAMESPACE");
            assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });
        assertThat(env(sluice, "SPRING_DATASOURCE_URL")).hasValueSatisfying(url -> assertThat(url).startsWith("jdbc:postgresql://"));
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        HorizontalPodAutoscaler hpa = rendered.all(HorizontalPodAutoscaler.class).get(0);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(deployment.getSpec().getReplicas());
        PodDisruptionBudget pdb = rendered.all(PodDisruptionBudget.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());

        Service service = rendered.all(Service.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        // the pods themselves, ready or not: a pod out of the Service's endpoints is the one whose metrics are wanted
        JsonNode monitor = rendered.operatorObject("PodMonitor");
        monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(label ->
                assertThat(podLabels).containsEntry(label.getKey(), label.getValue().asText()));
        JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/actuator/prometheus");
        assertThat(sluice.getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(endpoint.path("port").asText()));

        assertThat(rendered.operatorObject("PrometheusRule").path("spec").path("groups"))
                .isEqualTo(MonitoringFiles.yaml(MonitoringFiles.RULES).path("groups"));
        ConfigMap dashboard = rendered.all(ConfigMap.class).stream()
                .filter(map -> "1".equals(map.getMetadata().getLabels().get("grafana_dashboard"))).findFirst().orElseThrow();
        assertThat(dashboard.getData()).containsEntry("sluice-dashboard.json",
                Files.readString(MonitoringFiles.DASHBOARD, StandardCharsets.UTF_8));
    }

    @Test
    void devRunsOneReplicaOnTheEmbeddedDefault() {
        RenderedManifests rendered = RenderedManifests.of(DEV);
        assertThat(rendered.all(Deployment.class).get(0).getSpec().getReplicas()).isEqualTo(1);
        Container sluice = container(rendered);
        assertThat(env(sluice, "SPRING_DATASOURCE_URL")).isEmpty();
        assertThat(env(sluice, "SLUICE_CLUSTER_LEADER")).isEmpty();
        assertThat(env(sluice, "CRM_PROVIDER")).isEmpty();
        assertThat(sluice.getEnvFrom()).allSatisfy(source -> assertThat(source.getSecretRef().getOptional()).isTrue());
        assertThat(rendered.operatorObjects).isEmpty();
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).as(path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static List<String> grants(Role role, String apiGroup, String resource) {
        return role.getRules().stream()
                .filter(rule -> rule.getApiGroups().contains(apiGroup) && rule.getResources().contains(resource))
                .map(PolicyRule::getVerbs).flatMap(List::stream).toList();
    }

    private static PodSpec pod(RenderedManifests rendered) {
        return rendered.all(Deployment.class).get(0).getSpec().getTemplate().getSpec();
    }

    private static Container container(RenderedManifests rendered) {
        return pod(rendered).getContainers().stream().filter(c -> "sluice".equals(c.getName())).findFirst().orElseThrow();
    }

    private static Optional<String> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst();
    }

    private static Volume volumeAt(PodSpec pod, Container container, String mountPath) {
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> mountPath.equals(m.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + mountPath));
        return pod.getVolumes().stream().filter(v -> mount.getName().equals(v.getName())).findFirst().orElseThrow();
    }

    /** The files Sluice reads in a folder, by path relative to it, with their content. */
    private static Map<String, String> files(Path dir, Function<Path, Boolean> read) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(read::apply).collect(Collectors.toMap(
                    file -> dir.relativize(file).toString(), file -> {
                        try {
                            return Files.readString(file, StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
        }
    }

    /** Which files of routes/ and mappings/ Sluice reads (the kustomization that makes their ConfigMap is not one). */
    private static final class RouteFilesOnly {
        static final Function<Path, Boolean> ROUTES = file -> file.getFileName().toString().endsWith(".camel.yaml");
        static final Function<Path, Boolean> MAPPINGS = file -> file.getFileName().toString().endsWith(".yaml")
                && !file.getFileName().toString().equals("kustomization.yaml");
    }
}
