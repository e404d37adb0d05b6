package io.sluice.processing;

import io.sluice.event.EventStatus;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.store.DeadLetterStore;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Camel step of the {@code dead-letter} route: keeps a failed event, its error and original payload for replay. */
@Component("deadLetterRecorder")
public class DeadLetterRecorder {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final EventLog eventLog;
    private final DeadLetterStore deadLetters;
    private final SluiceMetrics metrics;

    public DeadLetterRecorder(EventLog eventLog, DeadLetterStore deadLetters, SluiceMetrics metrics) {
        this.eventLog = eventLog;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Body in: the original message of the failed exchange, the event id. */
    @Handler
    @Transactional
    public void record(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String gaveUp = exchange.getProperty(EventRetries.GAVE_UP, String.class);
        String error = (gaveUp == null ? "" : gaveUp) + FailedAttemptRecorder.describe(cause);
        StoredEvent event = eventLog.find(id).orElseThrow(() ->
                new IllegalStateException("dead letter for event " + id + " which is not in the event log"));
        // the fenced status first: a process that lost the claim (its lease ran out) records no dead letter
        if (!eventLog.markClaimEnded(event.id(), EventStatus.DEAD, null)) {
            return;
        }
        long deadLetterId = deadLetters.record(event.id(), event.type(), error, Math.max(event.attempts(), 1), event.payload());
        eventLog.history(event.id(), EventStatus.DEAD, "dead letter " + deadLetterId + ": " + error);
        metrics.event(event.type(), EventStatus.DEAD);
        log.error("Event {} {} -> DEAD after {} attempts (dead letter {}): {}", event.id(), event.type(),
                event.attempts(), deadLetterId, error);
    }
}
