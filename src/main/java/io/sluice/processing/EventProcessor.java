package io.sluice.processing;

import static io.sluice.event.PipelineExchange.EVENT_ID;
import static io.sluice.event.PipelineExchange.EVENT_TYPE;
import static io.sluice.event.PipelineExchange.IDEMPOTENCY_KEY;
import static io.sluice.event.PipelineExchange.OUTCOME;
import static io.sluice.event.PipelineExchange.OUTCOME_DETAIL;
import static io.sluice.event.PipelineExchange.STORED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmWriteResult;
import io.sluice.event.EventStatus;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingEngine;
import io.sluice.mapping.MappingException;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Duration;

/** Camel steps of the {@code process-event} route: load, map, write, complete. */
@Component("eventProcessor")
public class EventProcessor {

    private static final String STARTED = "SluiceStartedNanos";
    /** The idempotent consumer's name in {@code camel_messageprocessed} (ProcessingConfiguration). */
    public static final String PROCESSOR_NAME = "process-event";

    private static final Logger log = LoggerFactory.getLogger(EventProcessor.class);

    private final EventLog eventLog;
    private final ActiveMapping mapping;
    private final CrmConnector crm;
    private final ObjectMapper objectMapper;
    private final SluiceMetrics metrics;
    private final PulledInFlight pulledInFlight;

    public EventProcessor(EventLog eventLog, ActiveMapping mapping, CrmConnector crm, ObjectMapper objectMapper,
                          SluiceMetrics metrics, PulledInFlight pulledInFlight) {
        this.pulledInFlight = pulledInFlight;
        this.eventLog = eventLog;
        this.mapping = mapping;
        this.crm = crm;
        this.objectMapper = objectMapper;
        this.metrics = metrics;
    }

    /** Body in: the event id; body out: the stored event. */
    public void load(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        StoredEvent event = eventLog.find(id).orElseThrow(() ->
                new IllegalStateException("event " + id + " was claimed but is not in the event log"));
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(STORED, event);
        exchange.getMessage().setHeader(EVENT_ID, event.id());
        exchange.getMessage().setHeader(EVENT_TYPE, event.type());
        exchange.getMessage().setHeader(IDEMPOTENCY_KEY, event.idempotencyKey());
        exchange.getMessage().setBody(event);
        log.debug("Event {} {} processing", event.id(), event.type());
    }

    /** Body in: the stored event; body out: the CRM change the active mapping makes of it. */
    public CrmChange map(StoredEvent event) {
        JsonNode envelope;
        try {
            envelope = objectMapper.readTree(event.payload());
        } catch (IOException e) {
            throw new MappingException("event " + event.id() + " payload is not JSON: " + e.getMessage());
        }
        return MappingEngine.map(mapping.current(), event.id(), event.type(), envelope, event.occurredAt());
    }

    /** Body in: the CRM change; writes it and remembers whether it applied or was stale. */
    public void write(Exchange exchange) {
        CrmChange change = exchange.getMessage().getBody(CrmChange.class);
        CrmWriteResult result = crm.apply(change);
        exchange.getMessage().setHeader(OUTCOME, result == CrmWriteResult.STALE ? EventStatus.STALE : EventStatus.DONE);
    }


    /** Marks the event's final status; an event already applied earlier (a duplicate) is DONE. */
    public void complete(Exchange exchange) {
        String id = exchange.getMessage().getHeader(EVENT_ID, String.class);
        String type = exchange.getMessage().getHeader(EVENT_TYPE, String.class);
        EventStatus status = exchange.getMessage().getHeader(OUTCOME, EventStatus.class);
        String detail;
        if (Boolean.TRUE.equals(exchange.getProperty(Exchange.DUPLICATE_MESSAGE, Boolean.class))) {
            status = EventStatus.DONE;
            detail = "this change was already applied earlier; nothing written";
        } else if (status == null) {
            status = EventStatus.IGNORED;
            detail = "type not handled by the active mapping";
        } else if (exchange.getMessage().getHeader(OUTCOME_DETAIL) != null) {
            detail = exchange.getMessage().getHeader(OUTCOME_DETAIL, String.class);
        } else {
            detail = status == EventStatus.STALE ? "the CRM holds a newer change of " + subject(exchange) : "applied to " + crm.provider();
        }
        String key = exchange.getMessage().getHeader(IDEMPOTENCY_KEY, String.class);
        boolean recorded;
        if ((status == EventStatus.DONE || status == EventStatus.STALE) && key != null) {
            recorded = eventLog.markCompletedRemembering(id, status, detail, PROCESSOR_NAME, key);
        } else {
            recorded = eventLog.markCompleted(id, status, detail);
        }
        pulledInFlight.finished(id);
        if (!recorded) {
            return; // the claim was taken over (EventLog logs it): the process that holds it now counts its outcome
        }
        metrics.event(type, status);
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            metrics.processed(Duration.ofNanos(System.nanoTime() - started));
        }
        log.info("Event {} {} -> {} ({})", id, type, status, detail);
    }

    private static String subject(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof CrmChange c && c.opportunity() != null ? "membership " + c.opportunity().get("membershipId") : "its subject";
    }
}
