package io.sluice.routes;

import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.Mapping;
import io.sluice.support.SluiceTestBase;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In Kubernetes routes/ and mappings/ are ConfigMap volumes: the files live in a hidden {@code ..<timestamp>} folder,
 * {@code ..data} links to it, and every top-level entry links into {@code ..data}. An update writes a new folder and
 * swaps {@code ..data}. Each route must load once, and the swap must reach the running routes and the mapping.
 */
class ConfigMapMountTest extends SluiceTestBase {

    private static final Path ROOT = Path.of("target", "configmap-" + UUID.randomUUID()).toAbsolutePath();
    private static final Path ROUTES = ConfigMapVolume.of(Path.of("routes"), ROOT.resolve("routes"), "..2026_01_01_00_00_00.000000001");
    private static final Path MAPPINGS = ConfigMapVolume.of(Path.of("mappings"), ROOT.resolve("mappings"), "..2026_01_01_00_00_00.000000001");

    @Autowired
    CamelContext camelContext;
    @Autowired
    ActiveMapping mapping;

    @DynamicPropertySource
    static void fromConfigMapVolumes(DynamicPropertyRegistry registry) {
        registry.add("sluice.routes.dir", ROUTES::toString);
        registry.add("sluice.mappings.dir", MAPPINGS::toString);
        registry.add("sluice.routes.reload", () -> "true");
        registry.add("sluice.routes.reload-interval", () -> "100ms");
    }

    @AfterAll
    static void removeVolumes() throws IOException {
        FileSystemUtils.deleteRecursively(ROOT);
    }

    @Test
    void eachRouteLoadsOnceFromItsVisibleNameAndASwapOfDataReloadsRoutesAndMapping() throws IOException {
        assertThat(camelContext.getRoute("dead-letter")).isNotNull();
        // loaded through the names an operator sees, never through the hidden folders
        for (Route route : camelContext.getRoutes()) {
            assertThat(route.getSourceLocation()).as(route.getRouteId()).doesNotContain("/..");
        }
        // the scans that ran meanwhile saw the same set as the start did: no duplicate ids, nothing reloaded
        sleepScans();
        assertThat(adminJson("GET", "/api/status").path("routes").path("reloadProblem").isNull()).isTrue();
        Mapping before = mapping.current();

        String description = "Keep an event that failed every retry as a replayable dead letter";
        ConfigMapVolume.update(ROUTES, "..2026_01_01_00_05_00.000000002", "dead-letter.camel.yaml",
                text -> text.replace(description, "Kept for replay (from an updated ConfigMap)"));
        ConfigMapVolume.update(MAPPINGS, "..2026_01_01_00_05_00.000000002", "local.yaml", text -> text + "\n# updated\n");

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                "Kept for replay (from an updated ConfigMap)".equals(camelContext.getRoute("dead-letter").getDescription())
                        && camelContext.getRouteController().getRouteStatus("dead-letter") == ServiceStatus.Started);
        await().atMost(Duration.ofSeconds(20)).until(() -> mapping.current() != before);
        assertThat(mapping.lastProblem()).isNull();
        assertThat(adminJson("GET", "/api/status").path("routes").path("reloadProblem").isNull()).isTrue();
        for (Route route : camelContext.getRoutes()) {
            assertThat(route.getSourceLocation()).as(route.getRouteId()).doesNotContain("/..");
        }
    }

    private static void sleepScans() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The layout the kubelet writes for a ConfigMap volume, and its update by a swap of {@code ..data}. */
    static final class ConfigMapVolume {

        static Path of(Path source, Path target, String version) {
            try {
                Path data = target.resolve(version);
                Files.createDirectories(data);
                FileSystemUtils.copyRecursively(source, data);
                Files.createSymbolicLink(target.resolve("..data"), Path.of(version));
                try (Stream<Path> entries = Files.list(data)) {
                    for (Path entry : entries.toList()) {
                        String name = entry.getFileName().toString();
                        Files.createSymbolicLink(target.resolve(name), Path.of("..data", name));
                    }
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A new version folder with one file edited, {@code ..data} swapped to it atomically, the old folder removed. */
        static void update(Path volume, String version, String file, java.util.function.UnaryOperator<String> edit) throws IOException {
            Path old = volume.resolve("..data").toRealPath();
            Path next = volume.resolve(version);
            FileSystemUtils.copyRecursively(old, next);
            Path edited = next.resolve(file);
            Files.writeString(edited, edit.apply(Files.readString(edited, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            Path link = volume.resolve("..data_tmp");
            Files.createSymbolicLink(link, Path.of(version));
            Files.move(link, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileSystemUtils.deleteRecursively(old);
        }

        private ConfigMapVolume() {
        }
    }
}
