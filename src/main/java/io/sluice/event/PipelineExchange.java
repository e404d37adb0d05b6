package io.sluice.event;

import org.apache.camel.Exchange;

/**
 * The headers and properties the pipeline's routes and beans share on an event's exchange (routes/process-events.camel.yaml
 * and the routes it calls). Set by {@code processing/EventProcessor#load}; the outcome is set by whichever step decides it.
 */
public final class PipelineExchange {

    /** Header: the event's id. */
    public static final String EVENT_ID = "SluiceEventId";
    /** Header: the event's type, e.g. {@code membership.activated}. */
    public static final String EVENT_TYPE = "SluiceEventType";
    /** Header: the status the event ends with ({@link EventStatus}), when a step decided it. */
    public static final String OUTCOME = "SluiceOutcome";
    /** Header: why the outcome is what it is, when a step other than the CRM write decided it. */
    public static final String OUTCOME_DETAIL = "SluiceOutcomeDetail";
    /** Header: the change the event describes (else its id): what the idempotent consumer remembers. */
    public static final String IDEMPOTENCY_KEY = "SluiceIdempotencyKey";
    /** Property: the event being processed, as stored. */
    public static final String STORED = "SluiceStoredEvent";

    private PipelineExchange() {
    }

    /** The event's change was applied before, by a sibling with the same change (the idempotent consumer said so). */
    public static boolean duplicate(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(Exchange.DUPLICATE_MESSAGE, Boolean.class));
    }

    /** The event's change is in the CRM: applied by this event ({@code DONE}), or before it by a sibling. */
    public static boolean applied(Exchange exchange) {
        return duplicate(exchange) || exchange.getMessage().getHeader(OUTCOME) == EventStatus.DONE;
    }

    /** Records the event's outcome and why, for the step that completes it. */
    public static void outcome(Exchange exchange, EventStatus status, String detail) {
        exchange.getMessage().setHeader(OUTCOME, status);
        exchange.getMessage().setHeader(OUTCOME_DETAIL, detail);
    }
}
