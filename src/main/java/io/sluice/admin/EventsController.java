package io.sluice.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.EventStatus;
import io.sluice.inbox.EventHistoryEntry;
import io.sluice.inbox.EventLog;
import io.sluice.store.Page;
import io.sluice.inbox.StoredEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/** The event log: {@code GET /api/events}, {@code GET /api/events/{id}}. */
@RestController
@RequestMapping("/api/events")
class EventsController {

    private final EventLog eventLog;
    private final ObjectMapper objectMapper;

    EventsController(EventLog eventLog, ObjectMapper objectMapper) {
        this.eventLog = eventLog;
        this.objectMapper = objectMapper;
    }

    /** An event as listed: where it came from, what it is about, how far it got. */
    record EventSummary(String id, String source, String type, String subjectKey, Instant occurredAt, EventStatus status,
                        int attempts, String lastError, Instant receivedAt, Instant updatedAt) {

        static EventSummary of(StoredEvent e) {
            return new EventSummary(e.id(), e.source(), e.type(), e.subjectKey(), e.occurredAt(), e.status(), e.attempts(),
                    e.lastError(), e.receivedAt(), e.updatedAt());
        }
    }

    /**
     * One event whole: its summary, since when it fails and when it is tried next (while it waits), the payload (JSON
     * when it is JSON, else text) and every status it went through.
     */
    record EventDetail(@JsonUnwrapped EventSummary event, Instant failingSince, Instant nextAttemptAt, Object payload,
                       List<EventHistoryEntry> history) {
    }

    @GetMapping
    Page<EventSummary> list(@RequestParam(required = false) String status, @RequestParam(required = false) String type,
                            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String before) {
        Page<StoredEvent> page = eventLog.list(parseStatus(status), type, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(EventSummary::of).toList(), page.next());
    }

    @GetMapping("/{id}")
    EventDetail one(@PathVariable String id) {
        StoredEvent event = eventLog.find(id).orElseThrow(() -> new NoSuchElementException("no event with id " + id));
        EventLog.Retries retries = eventLog.retries(id);
        return new EventDetail(EventSummary.of(event), retries.failingSince(),
                event.status() == EventStatus.WAITING ? retries.nextAttemptAt() : null, payload(event.payload()), eventLog.history(id));
    }

    /** The payload as JSON when it is JSON, else as text. */
    private Object payload(byte[] payload) {
        try {
            JsonNode json = objectMapper.readTree(payload);
            return json == null ? "" : json;
        } catch (IOException e) {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static EventStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return EventStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown status '" + status + "'; expected one of "
                    + java.util.Arrays.toString(EventStatus.values()));
        }
    }
}
