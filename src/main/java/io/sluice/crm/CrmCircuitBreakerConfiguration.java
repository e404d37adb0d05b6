package io.sluice.crm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.sluice.config.CrmProperties;
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
    CircuitBreaker crmCircuitBreaker(CircuitBreakerRegistry registry, CrmProperties properties, CrmConnector crm) {
        CrmProperties.Breaker b = properties.breaker();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRateThreshold())
                .minimumNumberOfCalls(b.minimumNumberOfCalls())
                .slidingWindowSize(b.slidingWindowSize())
                .waitDurationInOpenState(b.waitInOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // only what says the CRM is unwell counts, as a failure: it failed to answer, answered 5xx or
                // nonsense. Everything else is ignored (neither failure nor success): a record the CRM refuses, a spent
                // quota (it pauses), a 429 or Sluice's own pacing or a busy record (the CRM is up, only asked too fast),
                // and a defect in Sluice, which must neither open the breaker nor close it on a half-open probe
                .ignoreException(failure -> !(failure instanceof CrmException unwell) || !unwell.retryable()
                        || failure instanceof CrmRateLimitedException || failure instanceof CrmConflictException)
                .build();
        return registry.circuitBreaker("crm-" + crm.provider(), config);
    }
}
