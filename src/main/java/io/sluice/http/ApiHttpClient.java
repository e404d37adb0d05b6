package io.sluice.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends {@link ApiRequest}s to one provider (a CRM, an e-sign service) through Camel's HTTP component: the provider's
 * rate limit first (at most its budget in any window, shared by the replicas on one PostgreSQL), then the call, then the answer turned into an {@link ApiResponse} or an exception
 * (from {@link ApiFailures}) that says whether retrying can help and how long the provider asked to wait. Counts
 * {@code <system>_requests_total} and times {@code <system>_request_seconds} ({@code crm}, {@code esign}). Retrying
 * itself is the route's redelivery policy, not this class's.
 */
public class ApiHttpClient {

    private static final int EXCERPT = 500;
    /**
     * The longest a 429 holds every call of a provider, whatever it asked: a wait of hours (or a garbled one) must not
     * stop a provider's work until a restart. After it, the next call asks again, and a provider still limiting says so.
     */
    static final Duration MAX_HOLD = Duration.ofMinutes(15);

    private final String system;
    private final ApiFailures failures;
    private final String provider;
    private final Supplier<String> baseUrl;
    private final Supplier<Map<String, String>> authHeaders;
    private final String credentialHint;
    private final RequestBudget limiter;
    private final ApiErrorClassifier classifier;
    private final ProducerTemplate producer;
    private final ObjectMapper objectMapper;
    private final MeterRegistry registry;
    private final Clock clock;

    ApiHttpClient(String system, ApiFailures failures, String provider, Supplier<String> baseUrl, Supplier<Map<String, String>> authHeaders, String credentialHint,
                  RequestBudget limiter, ApiErrorClassifier classifier, ProducerTemplate producer, ObjectMapper objectMapper,
                  MeterRegistry registry, Clock clock) {
        this.system = system;
        this.failures = failures;
        this.provider = provider;
        this.baseUrl = baseUrl;
        this.authHeaders = authHeaders;
        this.credentialHint = credentialHint;
        this.limiter = limiter;
        this.classifier = classifier;
        this.producer = producer;
        this.objectMapper = objectMapper;
        this.registry = registry;
        this.clock = clock;
    }

    public ApiResponse send(ApiRequest request) {
        RequestBudget.Permit permit;
        try {
            permit = limiter.acquire();
        } catch (RequestBudget.PermitUnavailableException e) {
            count(request, "throttled");
            throw failures.notSent(provider + " " + request.operation() + " not sent: " + e.getMessage(), e.availableIn());
        }
        Map<String, String> auth;
        long started;
        Exchange result;
        try {
            String body = serialise(request);
            auth = authHeaders.get();
            started = System.nanoTime();
            result = call(request, body, auth);
        } finally {
            limiter.sent(permit); // answered, or never sent: either way the permit's slot may be reused
        }
        Timer.builder(system + ".request").description("Call latency by provider and operation")
                .tag("provider", provider).tag("operation", request.operation())
                .register(registry).record(Duration.ofNanos(System.nanoTime() - started));
        if (result.getException() != null) {
            Exception e = result.getException();
            count(request, e instanceof java.net.SocketTimeoutException ? "timeout" : "io_error");
            throw failures.retryable("cannot reach " + provider + " for " + request.operation() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), null, e);
        }
        Integer status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        byte[] bytes = result.getMessage().getBody(byte[].class);
        ApiResponse response = new ApiResponse(status == null ? 0 : status, answerHeaders(result, auth), bytes, parse(bytes));
        count(request, outcome(response.status()));
        if (response.status() >= 200 && response.status() < 300) {
            if (bytes != null && bytes.length > 0 && response.json() == null && announcesJson(response)) {
                throw failures.unreadableSuccess(provider + " answered " + request.operation() + " with a body that is not JSON");
            }
            return response;
        }
        RuntimeException specific = classifier == null ? null : classifier.classify(request, response);
        RuntimeException failure = specific != null ? specific : classify(request, response);
        if (response.status() == 429) {
            // every caller of this provider waits now, not only the one that was told
            Duration asked = failure instanceof RemoteCallFailure remote ? remote.retryAfter() : null;
            Duration hold = asked != null ? asked : limiter.window(); // no wait said: one window
            limiter.holdFor(hold.compareTo(MAX_HOLD) > 0 ? MAX_HOLD : hold);
        }
        throw failure;
    }

    private Exchange call(ApiRequest request, String body, Map<String, String> auth) {
        String endpointUri = baseUrl.get().replaceAll("/+$", "") + "?throwExceptionOnFailure=false";
        return producer.send(endpointUri, exchange -> {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_METHOD, request.method());
            message.setHeader(Exchange.HTTP_PATH, request.path());
            if (request.query() != null) {
                message.setHeader(Exchange.HTTP_QUERY, request.query());
            }
            message.setHeader("Accept", request.accept());
            if (body != null) {
                message.setHeader(Exchange.CONTENT_TYPE, request.contentType() == null ? "application/json" : request.contentType());
            }
            auth.forEach(message::setHeader);
            message.setBody(body);
        });
    }

    /** The answer's headers without the credential: Camel's HTTP producer copies the request's headers into them. */
    private static Map<String, Object> answerHeaders(Exchange result, Map<String, String> auth) {
        Map<String, Object> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(result.getMessage().getHeaders());
        auth.keySet().forEach(headers::remove);
        return headers;
    }

    /** A body is meant as JSON unless its content type says otherwise (a PDF download, say). */
    private static boolean announcesJson(ApiResponse response) {
        String type = response.header("Content-Type");
        return type == null || type.contains("json");
    }

    private RuntimeException classify(ApiRequest request, ApiResponse response) {
        int status = response.status();
        String what = provider + " answered HTTP " + status + " to " + request.operation() + excerpt(response);
        if (status == 429) {
            Duration asked = retryAfter(response);
            return failures.rateLimited(what, asked != null ? asked : limiter.window());
        }
        if (status == 408 || status >= 500) {
            return failures.retryable(what, retryAfter(response), null);
        }
        if (status == 401 || status == 403) {
            return failures.credentialRejected(provider + " rejected the credential (HTTP " + status + ") on " + request.operation()
                    + ": check " + credentialHint + excerpt(response));
        }
        return failures.rejected(provider + " refused " + request.operation() + " (HTTP " + status + ")" + excerpt(response));
    }

    /** The wait the provider asked for ({@link RetryAfter}), or null. */
    public Duration retryAfter(ApiResponse response) {
        return RetryAfter.parse(response.header("retry-after-ms"), response.header("Retry-After"), clock.instant());
    }

    /** The provider's message, short and on one line, for errors operators read. */
    public static String excerpt(ApiResponse response) {
        String text = response.text().replaceAll("\\p{Cntrl}", " ").trim();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "…");
    }

    public String provider() {
        return provider;
    }

    /** The budget's window: how long a 429 that names no wait holds the provider's calls. */
    public Duration window() {
        return limiter.window();
    }


    private String serialise(ApiRequest request) {
        if (request.body() == null) {
            return null;
        }
        try {
            return request.body() instanceof String s ? s : objectMapper.writeValueAsString(request.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the " + request.operation() + " request", e);
        }
    }

    private JsonNode parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            return objectMapper.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private void count(ApiRequest request, String outcome) {
        Counter.builder(system + ".requests").description("Calls by provider, operation and outcome")
                .tag("provider", provider).tag("operation", request.operation()).tag("outcome", outcome)
                .register(registry).increment();
    }

    private static String outcome(int status) {
        if (status >= 200 && status < 300) {
            return "success";
        }
        if (status == 429) {
            return "rate_limited";
        }
        return status >= 500 ? "server_error" : "client_error";
    }
}
