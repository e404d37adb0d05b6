package io.sluice.processing;

import io.sluice.store.EventLog;
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

    public FailedAttemptRecorder(EventLog eventLog) {
        this.eventLog = eventLog;
    }

    @Override
    public void process(Exchange exchange) {
        String id = exchange.getMessage().getHeader(EventProcessor.EVENT_ID, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause == null) {
            cause = exchange.getException();
        }
        String error = describe(cause);
        log.warn("Event {} attempt failed: {}", id, error);
        if (id != null) {
            try {
                eventLog.recordFailedAttempt(id, error);
            } catch (RuntimeException e) {
                log.warn("Event {}: could not record the failed attempt ({})", id, e.getMessage());
            }
        }
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
