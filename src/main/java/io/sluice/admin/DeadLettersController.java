package io.sluice.admin;

import io.sluice.processing.DeadLetterReplayer;
import io.sluice.store.DeadLetter;
import io.sluice.store.DeadLetterStore;
import io.sluice.store.Page;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Dead letters: list, replay one, replay all. */
@RestController
@RequestMapping("/api/dead-letters")
class DeadLettersController {

    private final DeadLetterStore deadLetters;
    private final DeadLetterReplayer replayer;

    DeadLettersController(DeadLetterStore deadLetters, DeadLetterReplayer replayer) {
        this.deadLetters = deadLetters;
        this.replayer = replayer;
    }

    @GetMapping
    Page<Map<String, Object>> list(@RequestParam(required = false) String type, @RequestParam(required = false) Integer limit,
                                   @RequestParam(required = false) Long before) {
        Page<DeadLetter> page = deadLetters.listOpen(type, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(DeadLettersController::view).toList(), page.next());
    }

    @PostMapping("/{id}/replay")
    ResponseEntity<?> replay(@PathVariable long id) {
        return replayer.replay(id)
                .<ResponseEntity<?>>map(replayed -> replayed
                        ? ResponseEntity.accepted().body(Map.<String, Object>of("id", id, "status", "replayed"))
                        : ApiExceptionHandler.error(HttpStatus.CONFLICT, "dead letter " + id + " was already replayed", null))
                .orElseGet(() -> ApiExceptionHandler.error(HttpStatus.NOT_FOUND, "no dead letter with id " + id, null));
    }

    @PostMapping("/replay")
    ResponseEntity<Map<String, Object>> replayAll(@RequestParam(required = false) String type) {
        List<Long> replayed = replayer.replayAll(type);
        return ResponseEntity.accepted().body(Map.of("replayed", replayed.size(), "ids", replayed));
    }

    private static Map<String, Object> view(DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("eventId", d.eventId());
        m.put("eventType", d.eventType());
        m.put("error", d.error());
        m.put("attempts", d.attempts());
        m.put("createdAt", d.createdAt());
        return m;
    }
}
