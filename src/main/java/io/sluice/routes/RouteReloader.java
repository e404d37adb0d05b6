package io.sluice.routes;

import io.sluice.config.SluiceProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Picks up edits to {@code routes/*.camel.yaml} without a restart. A changed file is validated first; if it is
 * invalid, or Camel cannot start its routes, the previous version of the file keeps running and the reason
 * is logged and shown in {@code GET /api/status}. A removed file's routes keep running until the next restart.
 */
@Component
public class RouteReloader {

    private static final Logger log = LoggerFactory.getLogger(RouteReloader.class);

    private final CamelContext camelContext;
    private final Path dir;
    private final Map<Path, String> loaded = new HashMap<>();
    /** The version of each file that runs: what a changed file is checked together with. */
    private final Map<Path, String> running = new HashMap<>();
    private volatile String lastProblem;

    public RouteReloader(CamelContext camelContext, SluiceProperties properties) {
        this.camelContext = camelContext;
        this.dir = properties.routes().dir();
        for (Path file : routeFiles()) {
            loaded.put(file, read(file));
        }
        running.putAll(loaded);
    }

    public String lastProblem() {
        return lastProblem;
    }

    /** Reloads every route file whose content changed; returns the number of files reloaded. */
    public synchronized int reloadIfChanged() {
        int reloaded = 0;
        for (Path file : routeFiles()) {
            String content = read(file);
            String previous = loaded.get(file);
            if (content == null || content.equals(previous)) {
                continue;
            }
            loaded.put(file, content); // an invalid version is reported once, not on every scan
            if (reload(file, content, previous)) {
                reloaded++;
            }
        }
        return reloaded;
    }

    private boolean reload(Path file, String content, String previous) {
        // the changed file on its own, and with the files that run, against what the pipeline relies on
        Map<Path, String> set = new java.util.TreeMap<>(running);
        set.values().removeIf(java.util.Objects::isNull);
        set.put(file, content);
        List<String> problems = ConfigurationValidator.validateRouteSet(set);
        if (!problems.isEmpty()) {
            fail(file, String.join("; ", problems));
            return false;
        }
        try {
            var ids = PluginHelper.getRoutesLoader(camelContext).updateRoutes(resource(file, content));
            running.put(file, content);
            lastProblem = null;
            log.info("Reloaded {}: routes {}", file, ids);
            return true;
        } catch (Exception e) {
            fail(file, RouteFileValidator.rootMessage(e));
            restore(file, previous);
            return false;
        }
    }

    private void restore(Path file, String previous) {
        if (previous == null) {
            return;
        }
        try {
            PluginHelper.getRoutesLoader(camelContext).updateRoutes(resource(file, previous));
            log.warn("Restored the previous version of {}", file);
        } catch (Exception e) {
            log.error("Could not restore the previous version of {}: {}", file, RouteFileValidator.rootMessage(e));
        }
    }

    private void fail(Path file, String reason) {
        lastProblem = reason;
        log.error("Route file {} changed but cannot be loaded; the previous routes keep running. {}", file, reason);
    }

    private static Resource resource(Path file, String content) {
        return ResourceHelper.fromString("file:" + file, content);
    }

    private List<Path> routeFiles() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        } catch (IOException e) {
            log.warn("Cannot list route files in {}: {}", dir, e.getMessage());
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
