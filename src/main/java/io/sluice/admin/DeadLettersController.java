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

import java.util.List;

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

    /** A dead letter as listed: what failed, why, after how many attempts (the payload stays in the store). */
    record DeadLetterView(long id, String eventId, String eventType, String error, int attempts, java.time.Instant createdAt) {

        static DeadLetterView of(DeadLetter d) {
            return new DeadLetterView(d.id(), d.eventId(), d.eventType(), d.error(), d.attempts(), d.createdAt());
        }
    }

    record Replayed(long id, String status) {
    }

    record ReplayedAll(int replayed, List<Long> ids) {
    }

    @GetMapping
    Page<DeadLetterView> list(@RequestParam(required = false) String type, @RequestParam(required = false) Integer limit,
                                   @RequestParam(required = false) Long before) {
        Page<DeadLetter> page = deadLetters.listOpen(type, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(DeadLetterView::of).toList(), page.next());
    }

    @PostMapping("/{id}/replay")
    ResponseEntity<?> replay(@PathVariable long id) {
        return replayer.replay(id)
                .<ResponseEntity<?>>map(replayed -> replayed
                        ? ResponseEntity.accepted().body(new Replayed(id, "replayed"))
                        : ApiExceptionHandler.error(HttpStatus.CONFLICT, "dead letter " + id + " was already replayed", null))
                .orElseGet(() -> ApiExceptionHandler.error(HttpStatus.NOT_FOUND, "no dead letter with id " + id, null));
    }

    @PostMapping("/replay")
    ResponseEntity<ReplayedAll> replayAll(@RequestParam(required = false) String type) {
        List<Long> replayed = replayer.replayAll(type);
        return ResponseEntity.accepted().body(new ReplayedAll(replayed.size(), replayed));
    }
}
