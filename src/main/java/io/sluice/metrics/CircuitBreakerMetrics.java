package io.sluice.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code sluice_circuit_breaker_open{name}}: 1 while a circuit breaker (the CRM's {@code crm-<provider>}, the
 * model's {@code ai-<provider>}) refuses calls or lets only its probes through, 0 while it is closed. Breakers made
 * after this one (the AI service makes its own) are gauged when they are added to the registry.
 */
@Component
class CircuitBreakerMetrics {

    CircuitBreakerMetrics(CircuitBreakerRegistry breakers, MeterRegistry registry) {
        breakers.getAllCircuitBreakers().forEach(breaker -> gauge(breaker, registry));
        breakers.getEventPublisher().onEntryAdded(added -> gauge(added.getAddedEntry(), registry));
    }

    private static void gauge(CircuitBreaker breaker, MeterRegistry registry) {
        Gauge.builder("sluice.circuit.breaker.open", breaker, CircuitBreakerMetrics::open)
                .description("1 while the circuit breaker is open or half-open (only probes pass), 0 while closed")
                .tag("name", breaker.getName())
                .register(registry);
    }

    private static double open(CircuitBreaker breaker) {
        return switch (breaker.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> 0;
            case OPEN, HALF_OPEN, FORCED_OPEN -> 1;
        };
    }
}
