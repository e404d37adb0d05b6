package io.sluice.routes;

import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scans {@code routes/} and the active mapping for changes every {@code sluice.routes.reload-interval}, when
 * {@code sluice.routes.reload} is on. Polling (not file events) also sees Kubernetes ConfigMap symlink swaps.
 */
@Component
class ConfigurationWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigurationWatcher.class);

    private final RouteReloader routes;
    private final ActiveMapping mapping;
    private final RoutesProperties properties;
    private final MappingsProperties mappings;
    private ScheduledExecutorService scheduler;

    ConfigurationWatcher(RouteReloader routes, ActiveMapping mapping, RoutesProperties properties, MappingsProperties mappings) {
        this.routes = routes;
        this.mapping = mapping;
        this.properties = properties;
        this.mappings = mappings;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!properties.reload()) {
            log.info("Route and mapping reload is off (sluice.routes.reload=false)");
            return;
        }
        long interval = properties.reloadInterval().toMillis();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-config-watcher");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::scan, interval, interval, TimeUnit.MILLISECONDS);
        log.info("Watching {} and {} for changes every {} ms", properties.dir(), mappings.dir(), interval);
    }

    private void scan() {
        try {
            routes.reloadIfChanged();
            mapping.reloadIfChanged();
        } catch (RuntimeException e) {
            log.error("Configuration scan failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
