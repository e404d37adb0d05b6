package io.sluice.webhook;

import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.EventIntake;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Camel step: makes an event durable before it is acknowledged (in the inbox, or on Kafka on its way there,
 * {@link EventIntake}); a known id is a duplicate, not an error.
 */
@Component("inboxWriter")
public class InboxWriter {

    private static final Logger log = LoggerFactory.getLogger(InboxWriter.class);

    private final EventIntake intake;
    private final EventLog eventLog;
    private final SluiceMetrics metrics;

    public InboxWriter(EventIntake intake, EventLog eventLog, SluiceMetrics metrics) {
        this.intake = intake;
        this.eventLog = eventLog;
        this.metrics = metrics;
    }

    @Handler
    public IngressReceipt store(CanonicalEvent event) {
        EventIntake.Accepted accepted = intake.accept(event);
        if (accepted == EventIntake.Accepted.STORED) {
            recordStored(event);
        } else if (accepted == EventIntake.Accepted.QUEUED) {
            log.debug("Event {} {} accepted onto Kafka", event.id(), event.type());
        }
        return new IngressReceipt(event.id(), accepted == EventIntake.Accepted.DUPLICATE, event.status() == EventStatus.IGNORED);
    }

    /** What follows a new event in the inbox, wherever it came from: its count, its log line, why it is ignored. */
    public void recordStored(CanonicalEvent event) {
        metrics.event(event.type(), event.status());
        log.info("Event {} {} -> {}", event.id(), event.type(), event.status());
        if (event.status() == EventStatus.IGNORED && "whop".equals(event.source())) {
            eventLog.history(event.id(), EventStatus.IGNORED, "ignored: " + IgnoredWhopTypes.reason(event.type())); // stored IGNORED already
        }
    }

    /** Stores the events of one delivery (a PandaDoc callback may hold several); a duplicate when none of them is new. */
    public IngressReceipt storeAll(java.util.List<CanonicalEvent> events) {
        IngressReceipt first = null;
        boolean anyNew = false;
        boolean allIgnored = true;
        for (CanonicalEvent event : events) {
            IngressReceipt receipt = store(event);
            first = first == null ? receipt : first;
            anyNew |= !receipt.duplicate();
            allIgnored &= receipt.ignored();
        }
        return new IngressReceipt(first.id(), !anyNew, allIgnored);
    }

    /** Keeps a signed but unusable delivery as REJECTED; a failure to do so must not change the 400 answer. */
    public void recordRejected(Exchange exchange) {
        InvalidWebhookPayloadException rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidWebhookPayloadException.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String source = exchange.getProperty("SluiceSource", "whop", String.class);
        try {
            String id = eventLog.recordRejected(source, rejection.deliveryId(), body == null ? new byte[0] : body, rejection.getMessage());
            metrics.event("(unparsed)", EventStatus.REJECTED);
            log.warn("Event {} -> REJECTED: {}", id, rejection.getMessage());
        } catch (RuntimeException e) {
            log.error("Could not record rejected delivery {}: {}", rejection.deliveryId(), e.getMessage());
        }
    }
}
