package io.sluice.crm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.sluice.config.SluiceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One circuit breaker per CRM, shared by every route that writes to it (the {@code crm-upsert} route refers to it
 * by name). Its state is shown in {@code GET /api/status}. The route sets {@code throwExceptionWhenHalfOpenOrOpenState}
 * so that an open breaker fails the event (retry, then dead letter) instead of letting it pass as done.
 */
@Configuration(proxyBeanMethods = false)
class CrmCircuitBreakerConfiguration {

    @Bean
    CircuitBreakerRegistry circuitBreakerRegistry() {
        return CircuitBreakerRegistry.ofDefaults();
    }

    @Bean
    CircuitBreaker crmCircuitBreaker(CircuitBreakerRegistry registry, SluiceProperties properties, CrmConnector crm) {
        SluiceProperties.Breaker b = properties.crm().breaker();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRateThreshold())
                .minimumNumberOfCalls(b.minimumNumberOfCalls())
                .slidingWindowSize(b.slidingWindowSize())
                .waitDurationInOpenState(b.waitInOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // a record the CRM refuses says nothing about the CRM's health; nor does a spent quota (it pauses),
                // nor a 429 or Sluice's own pacing: the CRM is up, only asked too fast (the event waits for the hold)
                .ignoreExceptions(CrmRejectedException.class, CrmQuotaExhaustedException.class, CrmRateLimitedException.class)
                // only what says the CRM is unwell counts: it failed to answer, answered 5xx or nonsense. A defect in
                // Sluice (say, an IllegalStateException) must not open the breaker and make every event wait
                .recordException(failure -> failure instanceof CrmException unwell && unwell.retryable()
                        && !(failure instanceof CrmConflictException))
                .build();
        return registry.circuitBreaker("crm-" + crm.provider(), config);
    }
}
