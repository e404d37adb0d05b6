package io.sluice.http;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/** Calling out in the status: each provider's budget and any 429 hold, and every circuit breaker's state. */
@Component
@Order(20)
class RemoteCallStatus implements StatusContributor {

    private final ProviderLimits limits;
    private final CircuitBreakerRegistry breakers;

    RemoteCallStatus(ProviderLimits limits, CircuitBreakerRegistry breakers) {
        this.limits = limits;
        this.breakers = breakers;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        status.put("rateLimits", limits.all().stream().map(l -> {
            Map<String, Object> limit = new LinkedHashMap<>();
            limit.put("name", l.name());
            limit.put("budget", l.limit());
            limit.put("window", l.window().toString());
            limit.put("heldForMillis", l.heldFor().toMillis());
            return limit;
        }).toList());
        status.put("circuitBreakers", breakers.getAllCircuitBreakers().stream().map(b -> Map.of(
                "name", b.getName(),
                "state", b.getState().name(),
                "failureRate", b.getMetrics().getFailureRate())).toList());
    }
}
