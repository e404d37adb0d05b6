package io.sluice.webhook;

import io.sluice.metrics.SluiceMetrics;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Web plumbing in front of the webhook routes. */
@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

    @Bean
    FilterRegistrationBean<WebhookAvailabilityFilter> webhookAvailabilityFilter(ApplicationAvailability availability,
                                                                                IngressRestarts restarts, SluiceMetrics metrics,
                                                                                WebhookProperties webhook) {
        var registration = new FilterRegistrationBean<>(new WebhookAvailabilityFilter(availability, restarts, metrics, webhook));
        registration.addUrlPatterns("/webhooks/*");
        registration.setOrder(-201); // first: nothing else runs for a request that cannot be accepted now
        return registration;
    }

    @Bean
    FilterRegistrationBean<WebhookBodyLimitFilter> webhookBodyLimitFilter(WebhookProperties webhook, SluiceMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new WebhookBodyLimitFilter(webhook, metrics));
        registration.addUrlPatterns("/webhooks/*");
        registration.setOrder(-200); // before Spring Security and anything that could read the body
        return registration;
    }

    @Bean
    FilterRegistrationBean<WebhookContentTypeFilter> webhookContentTypeFilter(SluiceMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new WebhookContentTypeFilter(metrics));
        registration.addUrlPatterns("/webhooks/*");
        registration.setOrder(-199); // right after the size check, before anything parses a form
        return registration;
    }
}
