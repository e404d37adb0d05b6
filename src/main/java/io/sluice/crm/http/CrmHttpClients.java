package io.sluice.crm.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the {@link CrmHttpClient} of a provider, with its rate limit: {@code maxRequests} per {@code period}. */
@Component
public class CrmHttpClients {

    /** How long a call may wait for a permit before it fails (and is retried by the route). */
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(60);

    private final ProducerTemplate producer;
    private final ObjectMapper objectMapper;
    private final MeterRegistry registry;
    private final Clock clock;

    public CrmHttpClients(ProducerTemplate producer, ObjectMapper objectMapper, MeterRegistry registry, Clock clock) {
        this.producer = producer;
        this.objectMapper = objectMapper;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * @param baseUrl read per call: a provider whose API host comes with its token (Zoho's {@code api_domain})
     *                can change it
     */
    public CrmHttpClient create(String provider, Supplier<String> baseUrl, Supplier<Map<String, String>> authHeaders, String credentialHint,
                                int maxRequests, Duration period, CrmErrorClassifier classifier) {
        RateLimiter limiter = RateLimiter.of("crm-" + provider, RateLimiterConfig.custom()
                .limitForPeriod(maxRequests)
                .limitRefreshPeriod(period)
                .timeoutDuration(PERMIT_WAIT)
                .build());
        return new CrmHttpClient(provider, baseUrl, authHeaders, credentialHint, limiter, classifier, producer, objectMapper,
                registry, clock);
    }
}
