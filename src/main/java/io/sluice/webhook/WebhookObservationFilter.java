package io.sluice.webhook;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Leaves webhook requests out of the generic {@code http.server.requests} observation: they have their own
 * {@code sluice_webhook_requests_total} and Camel's per-route timers, and the generic one runs on the hottest path.
 */
@Configuration(proxyBeanMethods = false)
class WebhookObservationFilter {

    @Bean
    ObservationPredicate skipWebhookServerObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier().getRequestURI().startsWith("/webhooks/"));
    }
}
