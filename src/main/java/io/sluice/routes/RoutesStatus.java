package io.sluice.routes;

import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/** The routes in the status: their folder, whether edits are reloaded, and why the last edit was refused, if it was. */
@Component
@Order(80)
class RoutesStatus implements StatusContributor {

    private final RoutesProperties settings;
    private final RouteReloader routes;

    RoutesStatus(RoutesProperties settings, RouteReloader routes) {
        this.settings = settings;
        this.routes = routes;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        Map<String, Object> routesStatus = new LinkedHashMap<>();
        routesStatus.put("dir", settings.dir().toString());
        routesStatus.put("reload", settings.reload());
        routesStatus.put("reloadProblem", routes.lastProblem());
        status.put("routes", routesStatus);
    }
}
