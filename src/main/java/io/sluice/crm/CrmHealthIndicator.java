package io.sluice.crm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.crm.PendingNoteLinks;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code crm} component of {@code /actuator/health}: DOWN while the CRM's check finds a problem (a refused
 * credential, a missing field: the reason says which) or cannot reach it, or while the circuit breaker is open
 * (recent writes failed). Not part of readiness: Sluice keeps accepting webhooks while the CRM is down, and they wait.
 */
@Component("crm")
public class CrmHealthIndicator implements HealthIndicator {

    private final CrmConnector crm;
    private final CircuitBreaker breaker;
    private final CrmPreflight preflight;
    private final PendingNoteLinks pendingLinks;

    public CrmHealthIndicator(CrmConnector crm, CircuitBreaker crmCircuitBreaker, CrmPreflight preflight, PendingNoteLinks pendingLinks) {
        this.crm = crm;
        this.breaker = crmCircuitBreaker;
        this.preflight = preflight;
        this.pendingLinks = pendingLinks;
    }

    @Override
    public Health health() {
        CrmCheck check = preflight.last();
        boolean up = breaker.getState() != CircuitBreaker.State.OPEN && check.healthy();
        Health.Builder health = (up ? Health.up() : Health.down())
                .withDetail("provider", crm.provider())
                .withDetail("check", check.status().name());
        if (check.reason() != null) {
            health.withDetail("reason", check.reason());
        }
        if (!check.warnings().isEmpty()) {
            health.withDetail("warnings", check.warnings());
        }
        if (check.checkedAt() != null) {
            health.withDetail("checkedAt", check.checkedAt().toString());
        }
        return health.withDetail("notesWaitingForTheirOpportunity", pendingLinks.waiting(crm.provider()))
                .withDetail("circuitBreaker", breaker.getState().name())
                .withDetail("failureRate", breaker.getMetrics().getFailureRate())
                .build();
    }
}
