package io.sluice.admin;

import io.sluice.config.SluiceProperties;
import io.sluice.config.WhopProperties;
import io.sluice.crm.CrmConnector;
import io.sluice.event.EventStatus;
import io.sluice.mapping.ActiveMapping;
import io.sluice.store.DeadLetterStore;
import io.sluice.store.EventLog;
import io.sluice.store.PauseStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/status}: what an operator checks first. */
@RestController
class StatusController {

    private final SluiceProperties properties;
    private final WhopProperties whopSettings;
    private final io.sluice.routes.RoutesProperties routesSettings;
    private final CrmConnector crm;
    private final ActiveMapping mapping;
    private final EventLog eventLog;
    private final DeadLetterStore deadLetters;
    private final PauseStore pauses;
    private final io.sluice.routes.RouteReloader routes;
    private final io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers;
    private final io.sluice.crm.local.LocalCrmReader localCrm;
    private final io.sluice.whop.WhopCredentials whopCredentials;
    private final io.sluice.whop.oauth.WhopOAuthTokens whopOAuth;
    private final io.sluice.store.SyncRunStore syncRuns;
    private final io.sluice.ai.AiService ai;
    private final io.sluice.esign.ESignProperties esign;
    private final io.sluice.esign.ContractStore contracts;
    private final io.sluice.http.ProviderLimits limits;
    private final java.time.Clock clock;
    private final String version;
    private final String database;

    StatusController(SluiceProperties properties, WhopProperties whopSettings, io.sluice.routes.RoutesProperties routesSettings,
                     CrmConnector crm, ActiveMapping mapping, EventLog eventLog,
                     DeadLetterStore deadLetters, PauseStore pauses, ObjectProvider<BuildProperties> build,
                     DataSource dataSource, io.sluice.routes.RouteReloader routes, io.sluice.crm.local.LocalCrmReader localCrm,
                     io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers,
                     io.sluice.whop.WhopCredentials whopCredentials, io.sluice.whop.oauth.WhopOAuthTokens whopOAuth,
                     io.sluice.store.SyncRunStore syncRuns, io.sluice.ai.AiService ai, io.sluice.esign.ESignProperties esign,
                     io.sluice.esign.ContractStore contracts, io.sluice.http.ProviderLimits limits, java.time.Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.ai = ai;
        this.esign = esign;
        this.contracts = contracts;
        this.breakers = breakers;
        this.whopCredentials = whopCredentials;
        this.whopOAuth = whopOAuth;
        this.syncRuns = syncRuns;
        this.routes = routes;
        this.localCrm = localCrm;
        this.properties = properties;
        this.whopSettings = whopSettings;
        this.routesSettings = routesSettings;
        this.crm = crm;
        this.mapping = mapping;
        this.eventLog = eventLog;
        this.deadLetters = deadLetters;
        this.pauses = pauses;
        BuildProperties info = build.getIfAvailable();
        this.version = info == null ? "dev" : info.getVersion();
        this.database = databaseName(dataSource);
    }

    @GetMapping("/api/status")
    Map<String, Object> status() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("mode", "h2".equalsIgnoreCase(database) ? "embedded" : "cluster");
        body.put("database", database);
        body.put("transport", properties.transport());
        body.put("provider", crm.provider());
        body.put("pauses", pauses.list());
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("pending", eventLog.countByStatus(EventStatus.RECEIVED));
        queue.put("waiting", eventLog.countByStatus(EventStatus.WAITING));
        queue.put("processing", eventLog.countByStatus(EventStatus.PROCESSING));
        java.time.Instant oldest = eventLog.oldestUnfinishedReceivedAt();
        queue.put("oldestReceivedAt", oldest);
        queue.put("oldestWaitSeconds", oldest == null ? 0 : Math.max(0, java.time.Duration.between(oldest, clock.instant()).toSeconds()));
        queue.put("nextWaitingAttemptAt", eventLog.nextWaitingAttempt());
        body.put("queue", queue);
        body.put("rateLimits", limits.all().stream().map(l -> {
            Map<String, Object> limit = new LinkedHashMap<>();
            limit.put("name", l.name());
            limit.put("budget", l.limit());
            limit.put("window", l.window().toString());
            limit.put("heldForMillis", l.heldFor().toMillis());
            return limit;
        }).toList());
        body.put("deadLetters", deadLetters.countOpen());
        if ("local".equals(crm.provider())) {
            body.put("localCrm", localCrm.counts());
        }
        body.put("lastSync", syncRuns.recent(1).stream().findFirst().map(run -> {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("id", run.id());
            last.put("mode", run.mode());
            last.put("status", run.status());
            last.put("startedAt", run.startedAt());
            last.put("finishedAt", run.finishedAt());
            last.put("lastError", run.lastError());
            return last;
        }).orElse(null));
        Map<String, Object> whop = new LinkedHashMap<>();
        whop.put("credential", whopCredentials.kind());
        whop.put("pollEnabled", whopSettings.pollEnabled());
        whop.put("pollInterval", whopSettings.poll().interval().toString());
        whop.put("fullInterval", whopSettings.poll().fullInterval().toString());
        whop.put("oauth", whopOAuth.status());
        body.put("whop", whop);
        body.put("ai", ai.status());
        Map<String, Object> esignStatus = new LinkedHashMap<>();
        esignStatus.put("provider", esign.provider());
        esignStatus.put("rules", esign.rules().stream().map(io.sluice.esign.ESignProperties.SendRule::name).toList());
        esignStatus.put("contracts", contracts.countByStatus());
        body.put("esign", esignStatus);
        body.put("circuitBreakers", breakers.getAllCircuitBreakers().stream().map(b -> Map.of(
                "name", b.getName(),
                "state", b.getState().name(),
                "failureRate", b.getMetrics().getFailureRate())).toList());
        Map<String, Object> mappingStatus = new LinkedHashMap<>();
        mappingStatus.put("file", mapping.current().file().toString());
        mappingStatus.put("reloadProblem", mapping.lastProblem());
        body.put("mapping", mappingStatus);
        Map<String, Object> routesStatus = new LinkedHashMap<>();
        routesStatus.put("dir", routesSettings.dir().toString());
        routesStatus.put("reload", routesSettings.reload());
        routesStatus.put("reloadProblem", routes.lastProblem());
        body.put("routes", routesStatus);
        return body;
    }

    private static String databaseName(DataSource dataSource) {
        try (var connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            return "unknown";
        }
    }
}
