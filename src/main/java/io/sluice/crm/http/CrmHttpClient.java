package io.sluice.crm.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends {@link CrmRequest}s to one CRM through Camel's HTTP component: the provider's rate limit first (per
 * process), then the call, then the answer turned into a {@link CrmResponse} or a {@link CrmException} that says
 * whether retrying can help and how long the CRM asked to wait. Counts {@code crm_requests_total} and times
 * {@code crm_request_seconds}. Retrying itself is the route's redelivery policy, not this class's.
 */
public class CrmHttpClient {

    private static final int EXCERPT = 500;

    private final String provider;
    private final Supplier<String> baseUrl;
    private final Supplier<Map<String, String>> authHeaders;
    private final String credentialHint;
    private final RateLimiter limiter;
    private final CrmErrorClassifier classifier;
    private final ProducerTemplate producer;
    private final ObjectMapper objectMapper;
    private final MeterRegistry registry;
    private final Clock clock;

    CrmHttpClient(String provider, Supplier<String> baseUrl, Supplier<Map<String, String>> authHeaders, String credentialHint,
                  RateLimiter limiter, CrmErrorClassifier classifier, ProducerTemplate producer, ObjectMapper objectMapper,
                  MeterRegistry registry, Clock clock) {
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

    public CrmResponse send(CrmRequest request) {
        try {
            RateLimiter.waitForPermission(limiter);
        } catch (RequestNotPermitted e) {
            count(request, "throttled");
            throw new CrmException(provider + " throttle: no request permit within the wait limit for " + request.operation(), true, null);
        }
        String body = serialise(request);
        Map<String, String> auth = authHeaders.get();
        String endpointUri = baseUrl.get().replaceAll("/+$", "") + "?throwExceptionOnFailure=false";
        long started = System.nanoTime();
        Exchange result = producer.send(endpointUri, exchange -> {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_METHOD, request.method());
            message.setHeader(Exchange.HTTP_PATH, request.path());
            if (request.query() != null) {
                message.setHeader(Exchange.HTTP_QUERY, request.query());
            }
            message.setHeader("Accept", "application/json");
            if (body != null) {
                message.setHeader(Exchange.CONTENT_TYPE, request.contentType() == null ? "application/json" : request.contentType());
            }
            auth.forEach(message::setHeader);
            message.setBody(body);
        });
        Timer.builder("crm.request").description("CRM call latency by provider and operation")
                .tag("provider", provider).tag("operation", request.operation())
                .register(registry).record(Duration.ofNanos(System.nanoTime() - started));
        if (result.getException() != null) {
            Exception e = result.getException();
            count(request, e instanceof java.net.SocketTimeoutException ? "timeout" : "io_error");
            throw new CrmException("cannot reach " + provider + " for " + request.operation() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), true, null);
        }
        Integer status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        byte[] bytes = result.getMessage().getBody(byte[].class);
        CrmResponse response = new CrmResponse(status == null ? 0 : status, result.getMessage().getHeaders(), bytes,
                parse(bytes));
        count(request, outcome(response.status()));
        if (response.status() >= 200 && response.status() < 300) {
            if (bytes != null && bytes.length > 0 && response.json() == null) {
                throw new CrmException(provider + " answered " + request.operation() + " with a body that is not JSON", true, null);
            }
            return response;
        }
        CrmException specific = classifier == null ? null : classifier.classify(request, response);
        throw specific != null ? specific : classify(request, response);
    }

    private CrmException classify(CrmRequest request, CrmResponse response) {
        int status = response.status();
        String what = provider + " answered HTTP " + status + " to " + request.operation() + excerpt(response);
        if (status == 429 || status == 408 || status >= 500) {
            return new CrmException(what, true, retryAfter(response));
        }
        if (status == 401 || status == 403) {
            return new CrmRejectedException(provider + " rejected the credential (HTTP " + status + ") on " + request.operation()
                    + ": check " + credentialHint + excerpt(response));
        }
        return new CrmRejectedException(provider + " refused " + request.operation() + " (HTTP " + status + ")" + excerpt(response));
    }

    /** The wait the CRM asked for ({@code Retry-After} in seconds or as an HTTP date), or null. */
    public Duration retryAfter(CrmResponse response) {
        String value = response.header("Retry-After");
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration wait = Duration.between(clock.instant(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** The provider's message, short and on one line, for errors operators read. */
    public static String excerpt(CrmResponse response) {
        String text = response.text().replaceAll("\\p{Cntrl}", " ").trim();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "…");
    }

    public String provider() {
        return provider;
    }


    private String serialise(CrmRequest request) {
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

    private void count(CrmRequest request, String outcome) {
        Counter.builder("crm.requests").description("CRM calls by provider, operation and outcome")
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
