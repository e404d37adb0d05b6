package io.sluice.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.mapping.CrmChange;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingEngine;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Clock;

/**
 * Lead enrichment (routes/ai-enrich.camel.yaml). When an event of a type in {@code sluice.ai.enrich-on} is applied,
 * a request to score its person is stored in the inbox as an event of its own ({@code ai.score.requested}, id
 * {@code ai-score:<event id>}): durable, idempotent, paused by the {@code ai} kill switch without loss, retried and
 * dead-lettered like any event. Processing it scores the person and maps the result, as an {@code ai.lead_scored}
 * event, through the active mapping to the CRM: score and reasons on the person, a short note.
 */
@Component("aiEnrichment")
public class AiEnrichment implements io.sluice.inbox.AppliedChangeFollowUp {

    public static final String SOURCE = "sluice-ai";
    public static final String REQUESTED = "ai.score.requested";
    public static final String SCORED = "ai.lead_scored";
    private static final Logger log = LoggerFactory.getLogger(AiEnrichment.class);

    private final EventLog eventLog;
    private final AiService ai;
    private final ActiveMapping mapping;
    private final ObjectMapper objectMapper;
    private final AiProperties properties;
    private final Clock clock;

    public AiEnrichment(EventLog eventLog, AiService ai, ActiveMapping mapping, ObjectMapper objectMapper,
                        AiProperties properties, Clock clock) {
        this.eventLog = eventLog;
        this.ai = ai;
        this.mapping = mapping;
        this.objectMapper = objectMapper;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Route step of {@code process-event} (routes/ai-enrich.camel.yaml, {@code ai-score-rule}): once the event's change
     * is applied, by this event or before it by a sibling, {@link #requestIfWanted}. Before the event is marked done,
     * so that a failure here retries the event.
     */
    public void requestIfApplied(org.apache.camel.Exchange exchange) {
        StoredEvent stored = exchange.getProperty(io.sluice.event.PipelineExchange.STORED, StoredEvent.class);
        if (stored != null && io.sluice.event.PipelineExchange.applied(exchange)) {
            requestIfWanted(stored);
        }
    }

    /** The batch path's call: {@link #requestIfWanted}, for a change applied now or before. */
    @Override
    public void afterApplied(StoredEvent event, boolean duplicate) {
        requestIfWanted(event);
    }

    /** After an event is applied: stores the request to score its person, when its type asks for it. */
    public void requestIfWanted(StoredEvent applied) {
        if (applied.personEmail() == null || !properties.enrichOn().contains(applied.type()) || !mapping.handles(SCORED)) {
            return;
        }
        ObjectNode request = objectMapper.createObjectNode();
        request.put("email", applied.personEmail());
        request.putObject("trigger").put("id", applied.id()).put("type", applied.type());
        try {
            boolean stored = eventLog.insertIfAbsent(new CanonicalEvent("ai-score:" + applied.id(), SOURCE, REQUESTED,
                    applied.occurredAt(), applied.personEmail(), objectMapper.writeValueAsBytes(request), EventStatus.RECEIVED,
                    null, applied.personEmail()));
            if (stored) {
                log.info("Event ai-score:{} {} -> RECEIVED (score {} after {})", applied.id(), REQUESTED, applied.personEmail(), applied.type());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Body in: the stored {@code ai.score.requested} event; body out: the CRM change the mapping makes of the score. */
    @Handler
    public CrmChange score(StoredEvent request) throws IOException {
        JsonNode payload = objectMapper.readTree(request.payload());
        String email = payload.path("email").asText();
        PersonFacts person = ai.person(email);
        AiResults.LeadScore score = ai.scoreLead(person);
        ObjectNode envelope = objectMapper.createObjectNode();
        envelope.put("id", request.id());
        envelope.put("type", SCORED);
        envelope.put("timestamp", clock.instant().toString());
        ObjectNode data = envelope.putObject("data");
        data.put("email", email);
        data.put("score", score.score());
        data.put("reasons", String.join("; ", score.reasons()));
        data.put("provider", score.provider());
        data.put("model", score.model());
        data.put("triggerEventId", payload.path("trigger").path("id").asText());
        data.put("triggerType", payload.path("trigger").path("type").asText());
        log.info("Lead {} scored {} by {} after {}", email, score.score(), score.provider(), payload.path("trigger").path("type").asText());
        return MappingEngine.map(mapping.current(), request.id(), SCORED, envelope, request.occurredAt());
    }
}
