package io.sluice.processing;

import io.sluice.inbox.EventLog;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs each time processing an event throws, before the error handler decides on a redelivery: counts the
 * attempt and keeps the error in the event log, so an operator sees the history while retries go on.
 */
@Component("failedAttemptRecorder")
public class FailedAttemptRecorder implements Processor {

    private static final Logger log = LoggerFactory.getLogger(FailedAttemptRecorder.class);

    private final EventLog eventLog;
    private final java.time.Duration maxRetryAfter;

    public FailedAttemptRecorder(EventLog eventLog, io.sluice.config.CrmProperties crm) {
        this.eventLog = eventLog;
        this.maxRetryAfter = crm.maxRetryAfter();
    }

    @Override
    public void process(Exchange exchange) {
        String id = exchange.getMessage().getHeader(io.sluice.event.PipelineExchange.EVENT_ID, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause == null) {
            cause = exchange.getException();
        }
        String error = describe(cause);
        java.time.Duration wait = retryAfter(cause);
        if (wait != null) {
            // the CRM said how long to wait; this header bypasses maximumRedeliveryDelay, hence the cap
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(wait.toMillis(), maxRetryAfter.toMillis()));
            error = error + " (waits " + wait.toSeconds() + " s before the next attempt)";
        } else {
            exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        }
        log.warn("Event {} attempt failed: {}", id, error);
        if (id != null) {
            try {
                eventLog.recordFailedAttempt(id, error, !TransientFailures.noCallMade(cause));
            } catch (RuntimeException e) {
                log.warn("Event {}: could not record the failed attempt ({})", id, e.getMessage());
            }
        }
    }

    /** The wait the other system asked for, anywhere in the cause chain; null when none said. */
    static java.time.Duration retryAfter(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.sluice.http.RemoteCallFailure remote && remote.retryAfter() != null) {
                return remote.retryAfter();
            }
        }
        return null;
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
