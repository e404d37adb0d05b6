package io.sluice.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks up edits to {@code routes/*.camel.yaml} without a restart. The set of files is validated first, as a
 * restart would load it ({@link ConfigurationValidator#validateRouteSet}); if it is invalid, or Camel cannot start a
 * file's routes, the previous version keeps running and the reason is logged and shown in {@code GET /api/status}.
 * A removed file's routes keep running until the next restart. An edited route template re-makes every route made
 * from it, in whichever file its templated routes are; an edited templated route is made again from its template.
 */
@Component
public class RouteReloader {

    private static final Logger log = LoggerFactory.getLogger(RouteReloader.class);

    private final CamelContext camelContext;
    /** Senders are told to come back while routes are replaced: an ingress route may be among them. */
    private final io.sluice.webhook.IngressRestarts ingress;
    private final Path dir;
    /** What the last scan saw on disk. */
    private final Map<Path, String> loaded = new HashMap<>();
    /** The version of each file that runs: what a changed file is checked together with. */
    private final Map<Path, String> running = new HashMap<>();
    private volatile String lastProblem;

    public RouteReloader(CamelContext camelContext, RoutesProperties properties, io.sluice.webhook.IngressRestarts ingress) {
        this.camelContext = camelContext;
        this.ingress = ingress;
        this.dir = properties.dir();
        for (Path file : routeFiles()) {
            loaded.put(file, read(file));
        }
        running.putAll(loaded);
    }

    public String lastProblem() {
        return lastProblem;
    }

    /**
     * When the route files changed since the last scan: checks the set on disk as a whole (each file, and what the
     * pipeline relies on across files) and, if it passes, reloads every file whose content differs from what runs.
     * A refused set changes nothing and is reported once; its files are tried again, with the rest, at the next
     * change. Returns the number of files reloaded.
     */
    public synchronized int reloadIfChanged() {
        Map<Path, String> onDisk = new java.util.TreeMap<>();
        for (Path file : routeFiles()) {
            String content = read(file);
            if (content != null) {
                onDisk.put(file, content);
            }
        }
        if (onDisk.equals(loaded)) {
            return 0;
        }
        loaded.clear();
        loaded.putAll(onDisk);
        List<Path> changed = onDisk.keySet().stream().filter(file -> !onDisk.get(file).equals(running.get(file))).toList();
        List<Path> pending = withRoutesOfChangedTemplates(changed, onDisk);
        // a removed file's routes run on until the next restart; the set checked is the one a restart would load
        List<String> problems = ConfigurationValidator.validateRouteSet(onDisk);
        if (!problems.isEmpty()) {
            fail(pending.isEmpty() ? "The route files as they are now (nothing to reload, but a restart would refuse them)"
                    : "Route files " + pending + " changed but", String.join("; ", problems));
            return 0;
        }
        if (pending.isEmpty()) {
            lastProblem = null;
            return 0;
        }
        // every changed file in one update, so that a step and the route it calls go live together; if Camel cannot
        // start them, every file goes back to the version that ran
        java.util.function.Consumer<Exception> rollBack = failure -> {
            fail("Route files " + pending + " changed but", RouteFileValidator.rootMessage(failure));
            restore(pending.stream().filter(running::containsKey).toList());
        };
        try {
            // a failed start is restored before the ingress is open again: no request meets a removed route
            var ids = replace(pending.stream().map(file -> resource(file, onDisk.get(file))).toList(), rollBack);
            if (ids == null) {
                return 0;
            }
            pending.forEach(file -> running.put(file, onDisk.get(file)));
            lastProblem = null;
            log.info("Reloaded {}: routes {}", pending, ids);
            return pending.size();
        } catch (Exception e) {
            rollBack.accept(e); // the files could not even be read into routes
            return 0;
        }
    }

    /** The changed files, and the unchanged ones whose templated routes are made from a template they change. */
    private List<Path> withRoutesOfChangedTemplates(List<Path> changed, Map<Path, String> onDisk) {
        Set<String> templates = new HashSet<>();
        for (Path file : changed) {
            templates.addAll(RouteFileValidator.templatesDefined(onDisk.get(file)));
            if (running.containsKey(file)) {
                templates.addAll(RouteFileValidator.templatesDefined(running.get(file)));
            }
        }
        List<Path> pending = new ArrayList<>(changed);
        for (Path file : onDisk.keySet()) {
            if (!pending.contains(file) && RouteFileValidator.templatesUsed(onDisk.get(file)).stream().anyMatch(templates::contains)) {
                pending.add(file);
            }
        }
        return pending;
    }

    /**
     * Camel's {@code updateRoutes}, and what it leaves out for route templates: it adds an edited template next to
     * the one it replaces (and goes on making routes from the first), and it does not make the routes of templated
     * routes again. Here the previous template goes, and the routes of the files' templated routes are made anew.
     */
    private Set<String> replace(List<Resource> resources) throws Exception {
        return replace(resources, null);
    }

    /**
     * @param whenFailed run, still with the ingress held, when Camel cannot make the routes; then null is answered.
     *                   Without it the failure is thrown.
     */
    private Set<String> replace(List<Resource> resources, java.util.function.Consumer<Exception> whenFailed) throws Exception {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(camelContext).findRoutesBuilders(resources);
        List<TemplatedRouteDefinition> templated = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteConfigurationsBuilder configurations) {
                configurations.updateRouteConfigurationsToCamelContext(camelContext);
            }
        }
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routes) {
                routes.configureRoutes(camelContext);
                for (RouteTemplateDefinition template : routes.getRouteTemplateCollection().getRouteTemplates()) {
                    for (RouteTemplateDefinition old; (old = model.getRouteTemplateDefinition(template.getId())) != null; ) {
                        model.removeRouteTemplateDefinition(old);
                    }
                }
                templated.addAll(routes.getTemplatedRouteCollection().getTemplatedRoutes());
            }
        }
        Set<String> replaced = new LinkedHashSet<>();
        templated.forEach(route -> replaced.add(route.getRouteId()));
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routes) {
                routes.getRouteCollection().getRoutes().forEach(route -> replaced.add(route.getRouteId()));
            }
        }
        // the webhooks answer 503 while an HTTP route is replaced, not the 404 of a path no route serves; other
        // edits leave intake alone
        java.util.concurrent.Callable<Set<String>> making = () -> {
            try {
                return make(builders, templated);
            } catch (Exception e) {
                if (whenFailed == null) {
                    throw e;
                }
                whenFailed.accept(e);
                return null;
            }
        };
        return replacesIngress(replaced, builders) ? ingress.during(making) : making.call();
    }

    /** Whether a route that answers HTTP (platform-http) runs under one of {@code ids} or comes with these files. */
    private boolean replacesIngress(Set<String> ids, Collection<RoutesBuilder> builders) {
        for (String id : ids) {
            var running = camelContext.getRoute(id);
            if (running != null && running.getEndpoint().getEndpointUri().startsWith("platform-http")) {
                return true;
            }
        }
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routes && routes.getRouteCollection().getRoutes().stream()
                    .anyMatch(route -> route.getInput() != null && route.getInput().getEndpointUri().startsWith("platform-http"))) {
                return true;
            }
        }
        return false;
    }

    private Set<String> make(Collection<RoutesBuilder> builders, List<TemplatedRouteDefinition> templated) throws Exception {
        for (TemplatedRouteDefinition route : templated) {
            camelContext.getRouteController().stopRoute(route.getRouteId());
            camelContext.removeRoute(route.getRouteId());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (RoutesBuilder builder : builders) {
            for (String id : builder.updateRoutesToCamelContext(camelContext)) {
                if (!ids.add(id)) {
                    throw new FailedToStartRouteException(id, "duplicate route id detected " + id);
                }
            }
        }
        // made last, as at start: the template may be in another of these files
        for (RoutesBuilder builder : builders) {
            camelContext.addTemplatedRoutes(builder);
        }
        templated.forEach(route -> ids.add(route.getRouteId()));
        return ids;
    }

    /** Every file back to the version that ran, in one update (a template and the routes made from it together). */
    private void restore(List<Path> files) {
        if (files.isEmpty()) {
            return;
        }
        try {
            replace(files.stream().map(file -> resource(file, running.get(file))).toList());
            log.warn("Restored the previous version of {}", files);
        } catch (Exception e) {
            log.error("Could not restore the previous version of {}: {}", files, RouteFileValidator.rootMessage(e));
        }
    }

    private void fail(String what, String reason) {
        lastProblem = reason;
        log.error("{} cannot be loaded; the previous routes keep running. {}", what, reason);
    }

    private static Resource resource(Path file, String content) {
        return ResourceHelper.fromString("file:" + file, content);
    }

    private List<Path> routeFiles() {
        try {
            return RouteFiles.in(dir);
        } catch (IOException | java.io.UncheckedIOException e) {
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
