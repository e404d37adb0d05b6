package io.sluice.crm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code crm} component of {@code /actuator/health}: DOWN while the CRM's circuit breaker is open (recent writes
 * failed). Not part of readiness: Sluice keeps accepting webhooks while the CRM is down, and they wait.
 */
@Component("crm")
public class CrmHealthIndicator implements HealthIndicator {

    private final CrmConnector crm;
    private final CircuitBreaker breaker;

    public CrmHealthIndicator(CrmConnector crm, CircuitBreaker crmCircuitBreaker) {
        this.crm = crm;
        this.breaker = crmCircuitBreaker;
    }

    @Override
    public Health health() {
        Health.Builder health = breaker.getState() == CircuitBreaker.State.OPEN ? Health.down() : Health.up();
        return health.withDetail("provider", crm.provider())
                .withDetail("circuitBreaker", breaker.getState().name())
                .withDetail("failureRate", breaker.getMetrics().getFailureRate())
                .build();
    }
}
