package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.store.DeadLetterReplayHandler;
import io.sluice.store.DeadLetter;
import io.sluice.store.DeadLetterStore;
import io.sluice.inbox.EventLog;
import io.sluice.store.SyncRun;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * A Whop page that could not be read becomes a dead letter like any failed event: visible in the event log and
 * {@code /api/dead-letters}, and replayable, which pulls that resource again from the page's cursor.
 */
@Component
public class SyncPageDeadLetters implements DeadLetterReplayHandler {

    public static final String TYPE = "whop.sync.page";
    private static final int BODY_EXCERPT = 2000;

    private final EventLog eventLog;
    private final DeadLetterStore deadLetters;
    private final ObjectMapper objectMapper;
    private final WhopSyncService syncs;
    private final Clock clock;

    public SyncPageDeadLetters(EventLog eventLog, DeadLetterStore deadLetters, ObjectMapper objectMapper,
                               @Lazy WhopSyncService syncs, Clock clock) {
        this.eventLog = eventLog;
        this.deadLetters = deadLetters;
        this.objectMapper = objectMapper;
        this.syncs = syncs;
        this.clock = clock;
    }

    /** Records the page; returns the dead letter's id. */
    @Transactional
    public long record(SyncRun run, WhopResource resource, byte[] body, String error) {
        ObjectNode page = objectMapper.createObjectNode();
        page.put("runId", run.id());
        page.put("resource", resource.path());
        page.put("after", run.pageCursor());
        page.put("error", error);
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        page.put("bodyExcerpt", text.length() <= BODY_EXCERPT ? text : text.substring(0, BODY_EXCERPT) + "…");
        byte[] payload;
        try {
            payload = objectMapper.writeValueAsBytes(page);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String id = "whop-page:" + run.id() + ":" + resource.path() + ":" + clock.instant().toEpochMilli();
        eventLog.insertIfAbsent(new CanonicalEvent(id, PulledRecordEvents.SOURCE, TYPE, clock.instant(), resource.path(),
                payload, EventStatus.DEAD, null));
        eventLog.markStatus(id, EventStatus.DEAD, "malformed Whop page: " + error);
        return deadLetters.record(id, TYPE, "malformed Whop " + resource.path() + " page: " + error, 1, payload);
    }

    @Override
    public boolean handles(String eventType) {
        return TYPE.equals(eventType);
    }

    /** Pulls the page's resource again, starting at the page's cursor. */
    @Override
    public String replay(DeadLetter deadLetter) {
        JsonNode page;
        try {
            page = objectMapper.readTree(deadLetter.payload());
        } catch (IOException e) {
            throw new IllegalStateException("dead letter " + deadLetter.id() + " does not hold a Whop page position");
        }
        WhopResource resource = WhopResource.byPath(page.path("resource").asText()).orElseThrow(() ->
                new IllegalStateException("dead letter " + deadLetter.id() + " names no known Whop resource"));
        String after = page.path("after").isTextual() ? page.path("after").asText() : null;
        SyncRun run = syncs.startFrom(resource, after, "dead-letter-" + deadLetter.id());
        eventLog.markStatus(deadLetter.eventId(), EventStatus.DONE, "replayed as Whop sync " + run.id());
        return run.id();
    }
}
