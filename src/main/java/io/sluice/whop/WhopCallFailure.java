package io.sluice.whop;

import io.sluice.config.WhopProperties;
import io.sluice.http.RetryAfter;
import io.sluice.store.SyncRunStore;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Runs each time a Whop call fails, before the error handler decides on a redelivery: when Whop said how long to
 * wait ({@code Retry-After} in seconds or as an HTTP date, or {@code retry-after-ms}), the next attempt waits that
 * long, capped by {@code sluice.whop.api.max-retry-after}; otherwise the exponential backoff applies. The run keeps
 * the latest problem so that its status shows why it is slow.
 */
@Component("whopCallFailure")
public class WhopCallFailure implements Processor {

    private static final Logger log = LoggerFactory.getLogger(WhopCallFailure.class);

    private final SyncRunStore runs;
    private final Duration cap;
    private final Clock clock;

    public WhopCallFailure(SyncRunStore runs, WhopProperties whop, Clock clock) {
        this.runs = runs;
        this.cap = whop.api().maxRetryAfter();
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause == null) {
            cause = exchange.getException();
        }
        Duration wait = cause instanceof HttpOperationFailedException http ? retryAfter(http.getResponseHeaders()) : null;
        if (wait != null) {
            // this header bypasses maximumRedeliveryDelay, hence the cap above
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        } else {
            exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        }
        String runId = exchange.getProperty(WhopSyncRunner.RUN_ID, String.class);
        String problem = describe(cause) + (wait == null ? "" : "; Whop asked to wait " + wait.toMillis() + " ms");
        log.warn("Whop sync {}: {}; retrying", runId, problem);
        if (runId != null) {
            try {
                runs.noteError(runId, "retrying: " + problem);
            } catch (RuntimeException e) {
                log.debug("Whop sync {}: could not note the error: {}", runId, e.getMessage());
            }
        }
    }

    /** The wait Whop asked for ({@link RetryAfter}), capped; null when it did not say. */
    Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        Duration wait = RetryAfter.parse(header(headers, "retry-after-ms"), header(headers, "Retry-After"), clock.instant());
        if (wait == null) {
            return null;
        }
        return wait.compareTo(cap) > 0 ? cap : wait;
    }

    private static String header(Map<String, String> headers, String name) {
        for (var entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** What failed, without request headers (the credential) or bodies. */
    static String describe(Throwable cause) {
        if (cause instanceof HttpOperationFailedException http) {
            return "Whop answered HTTP " + http.getStatusCode() + " " + (http.getStatusText() == null ? "" : http.getStatusText()).trim();
        }
        if (cause == null) {
            return "unknown error";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
