package io.sluice.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the {@link ApiHttpClient} of a provider, with its rate limit: at most {@code maxRequests} in any {@code period}. */
@Component
public class ApiHttpClients {

    /**
     * How long a call may wait for a permit of its budget before it fails, and its event waits in the inbox. At the
     * budget's ceiling a permit comes within one window; a longer wait means other work holds the budget.
     */
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(60);

    private final ProducerTemplate producer;
    private final ObjectMapper objectMapper;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ProviderLimits limits;

    public ApiHttpClients(ProducerTemplate producer, ObjectMapper objectMapper, MeterRegistry registry, Clock clock, ProviderLimits limits) {
        this.limits = limits;
        this.producer = producer;
        this.objectMapper = objectMapper;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * @param system   the metric prefix: {@code crm}, {@code esign}
     * @param failures how the system's failed calls become exceptions (for a CRM, {@code CrmFailures})
     * @param baseUrl read per call: a provider whose API host comes with its token (Zoho's {@code api_domain})
     *                can change it
     */
    public ApiHttpClient create(String system, ApiFailures failures, String provider, Supplier<String> baseUrl,
                                Supplier<Map<String, String>> authHeaders, String credentialHint, int maxRequests, Duration period,
                                ApiErrorClassifier classifier) {
        return create(system, failures, provider, provider, baseUrl, authHeaders, credentialHint, maxRequests, period, classifier, PERMIT_WAIT);
    }

    /**
     * As {@link #create}, for work that must not hold a thread while its budget is spent (a language model's calls
     * run on the consumers that also write to the CRM): with no permit at once, the call fails as rate-limited and
     * its event waits in the inbox until one is due.
     */
    public ApiHttpClient createWithoutPermitWait(String system, ApiFailures failures, String provider, Supplier<String> baseUrl,
                                                 Supplier<Map<String, String>> authHeaders, String credentialHint, int maxRequests,
                                                 Duration period, ApiErrorClassifier classifier) {
        return create(system, failures, provider, provider, baseUrl, authHeaders, credentialHint, maxRequests, period, classifier, Duration.ZERO);
    }

    /**
     * A client of a provider's authorisation server (Zoho's accounts server, DocuSign's OAuth host): a host of its own,
     * so a budget and a 429 hold of its own ({@code <provider>-auth}), with the provider's metrics and failures.
     */
    public ApiHttpClient createAuthServer(String system, ApiFailures failures, String provider, Supplier<String> baseUrl,
                                          Supplier<Map<String, String>> authHeaders, String credentialHint, int maxRequests, Duration period) {
        return create(system, failures, provider, provider + "-auth", baseUrl, authHeaders, credentialHint, maxRequests, period, null,
                PERMIT_WAIT);
    }

    private ApiHttpClient create(String system, ApiFailures failures, String provider, String budget, Supplier<String> baseUrl,
                                 Supplier<Map<String, String>> authHeaders, String credentialHint, int maxRequests, Duration period,
                                 ApiErrorClassifier classifier, Duration permitWait) {
        RequestBudget limiter = limits.limiter(system, budget, maxRequests, period, permitWait);
        return new ApiHttpClient(system, failures, provider, baseUrl, authHeaders, credentialHint, limiter, classifier, producer, objectMapper,
                registry, clock);
    }
}
