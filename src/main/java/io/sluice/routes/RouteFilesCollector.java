package io.sluice.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.spring.boot.CamelConfigurationProperties;
import org.apache.camel.spring.boot.CamelSpringBootRoutesCollector;
import org.apache.camel.support.PluginHelper;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Camel's collector of the routes loaded at start, with {@code file:<dir>/**}{@code /*.camel.yaml} (the
 * {@code camel.main.routes-include-pattern} of application.yaml) listed by {@link RouteFiles}: the start loads
 * the same files the validator checks and the reloader watches. Camel's own scan neither follows a linked folder
 * nor leaves out hidden ones, so on a ConfigMap volume it would miss {@code _templates/} and see each file twice.
 */
@Component
class RouteFilesCollector extends CamelSpringBootRoutesCollector {

    private static final String PREFIX = "file:";
    private static final String EVERY_ROUTE_FILE = "/**/*" + RouteFiles.SUFFIX;

    RouteFilesCollector(ApplicationContext applicationContext, CamelConfigurationProperties camel) {
        super(applicationContext, camel.getMain().isIncludeNonSingletons());
    }

    @Override
    public Collection<Resource> findRouteResourcesFromDirectory(CamelContext camelContext, String excludePattern, String includePattern) {
        List<String> others = new ArrayList<>();
        List<Resource> found = new ArrayList<>();
        for (String pattern : includePattern.split(",")) {
            String trimmed = pattern.trim();
            if (trimmed.startsWith(PREFIX) && trimmed.endsWith(EVERY_ROUTE_FILE)) {
                Path dir = Path.of(trimmed.substring(PREFIX.length(), trimmed.length() - EVERY_ROUTE_FILE.length()));
                found.addAll(resources(camelContext, dir));
            } else {
                others.add(trimmed);
            }
        }
        if (!others.isEmpty()) {
            found.addAll(super.findRouteResourcesFromDirectory(camelContext, excludePattern, String.join(",", others)));
        }
        return found;
    }

    private static List<Resource> resources(CamelContext camelContext, Path dir) {
        try {
            var loader = PluginHelper.getResourceLoader(camelContext);
            return RouteFiles.in(dir).stream().map(file -> loader.resolveResource(PREFIX + file)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the route files in " + dir, e);
        }
    }
}
