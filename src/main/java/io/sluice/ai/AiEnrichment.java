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
import java.util.ArrayList;
import java.util.List;

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

    /** A batch's requests, stored in one statement batch. */
    @Override
    public void afterAppliedAll(java.util.List<StoredEvent> events, boolean duplicate) {
        java.util.List<StoredEvent> wanted = events.stream().filter(this::wanted).toList();
        if (wanted.isEmpty()) {
            return;
        }
        boolean[] stored = eventLog.insertAllIfAbsent(wanted.stream().map(this::request).toList());
        for (int i = 0; i < stored.length; i++) {
            if (stored[i]) {
                logStored(wanted.get(i));
            }
        }
    }

    /** After an event is applied: stores the request to score its person, when its type asks for it. */
    public void requestIfWanted(StoredEvent applied) {
        if (wanted(applied) && eventLog.insertIfAbsent(request(applied))) {
            logStored(applied);
        }
    }

    private boolean wanted(StoredEvent applied) {
        return applied.personEmail() != null && properties.enrichOn().contains(applied.type()) && mapping.handles(SCORED);
    }

    private CanonicalEvent request(StoredEvent applied) {
        ObjectNode request = objectMapper.createObjectNode();
        request.put("email", applied.personEmail());
        request.putObject("trigger").put("id", applied.id()).put("type", applied.type());
        try {
            return new CanonicalEvent("ai-score:" + applied.id(), SOURCE, REQUESTED, applied.occurredAt(), applied.personEmail(),
                    objectMapper.writeValueAsBytes(request), EventStatus.RECEIVED, null, applied.personEmail());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void logStored(StoredEvent applied) {
        log.info("Event ai-score:{} {} -> RECEIVED (score {} after {})", applied.id(), REQUESTED, applied.personEmail(), applied.type());
    }

    /** Body in: the stored {@code ai.score.requested} event; body out: the CRM change the mapping makes of the score. */
    @Handler
    public CrmChange score(StoredEvent request) throws IOException {
        JsonNode payload = objectMapper.readTree(request.payload());
        return change(request, payload, ai.scoreLead(ai.person(payload.path("email").asText())));
    }

    /** What became of one request of a batch: the change its score makes, or the failure that stopped it. */
    public record Scored(StoredEvent request, CrmChange change, Exception failure) {
    }

    /** {@link #score} for a batch's requests, in order, scored together ({@link AiService#scoreLeads}). */
    public List<Scored> scoreAll(List<StoredEvent> requests) {
        List<Scored> scored = new ArrayList<>(requests.size());
        List<StoredEvent> known = new ArrayList<>();
        List<JsonNode> payloads = new ArrayList<>();
        List<PersonFacts> people = new ArrayList<>();
        for (StoredEvent request : requests) {
            try {
                JsonNode payload = objectMapper.readTree(request.payload());
                people.add(ai.person(payload.path("email").asText()));
                payloads.add(payload);
                known.add(request);
            } catch (Exception e) {
                scored.add(new Scored(request, null, e)); // a person Sluice knows nothing of: retried alone, then dead-lettered
            }
        }
        List<AiResults.LeadScore> scores;
        try {
            scores = ai.scoreLeads(people);
        } catch (RuntimeException e) {
            known.forEach(request -> scored.add(new Scored(request, null, e)));
            return scored;
        }
        for (int i = 0; i < known.size(); i++) {
            try {
                scored.add(new Scored(known.get(i), change(known.get(i), payloads.get(i), scores.get(i)), null));
            } catch (RuntimeException e) {
                scored.add(new Scored(known.get(i), null, e));
            }
        }
        return scored;
    }

    private CrmChange change(StoredEvent request, JsonNode payload, AiResults.LeadScore score) {
        String email = payload.path("email").asText();
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
