package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.EventStatus;
import io.sluice.store.EventLog;
import io.sluice.store.Page;
import io.sluice.store.StoredEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

    @GetMapping
    Page<Map<String, Object>> list(@RequestParam(required = false) String status, @RequestParam(required = false) String type,
                                   @RequestParam(required = false) Integer limit, @RequestParam(required = false) String before) {
        Page<StoredEvent> page = eventLog.list(parseStatus(status), type, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(EventsController::summary).toList(), page.next());
    }

    @GetMapping("/{id}")
    Map<String, Object> one(@PathVariable String id) {
        StoredEvent event = eventLog.find(id).orElseThrow(() -> new NoSuchElementException("no event with id " + id));
        Map<String, Object> body = summary(event);
        EventLog.Retries retries = eventLog.retries(id);
        body.put("failingSince", retries.failingSince());
        body.put("nextAttemptAt", event.status() == io.sluice.event.EventStatus.WAITING ? retries.nextAttemptAt() : null);
        body.put("payload", payload(event.payload()));
        body.put("history", eventLog.history(id));
        return body;
    }

    static Map<String, Object> summary(StoredEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("source", e.source());
        m.put("type", e.type());
        m.put("subjectKey", e.subjectKey());
        m.put("occurredAt", e.occurredAt());
        m.put("status", e.status());
        m.put("attempts", e.attempts());
        m.put("lastError", e.lastError());
        m.put("receivedAt", e.receivedAt());
        m.put("updatedAt", e.updatedAt());
        return m;
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
