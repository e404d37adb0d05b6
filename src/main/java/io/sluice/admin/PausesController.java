package io.sluice.admin;

import io.sluice.inbox.InboxWake;
import io.sluice.store.Page;
import io.sluice.store.PauseStore;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** Kill switches: {@code PUT|DELETE /api/pauses/{target}}; paused work accumulates and none is lost. */
@RestController
@RequestMapping("/api/pauses")
class PausesController {

    private final PauseStore pauses;
    private final InboxWake inboxWake;

    PausesController(PauseStore pauses, InboxWake inboxWake) {
        this.pauses = pauses;
        this.inboxWake = inboxWake;
    }

    /** A target after a pause or resume: {@code changed} is false when it already was. */
    record PauseState(String target, boolean paused, boolean changed) {
    }

    /** The kill switches on, as a page like every other list (there is never a next one). */
    @GetMapping
    Page<PauseStore.Pause> list() {
        return new Page<>(pauses.list(), null);
    }

    /** Optional body {@code {"reason": "..."}}. */
    @PutMapping("/{target}")
    PauseState pause(@PathVariable String target, @RequestBody(required = false) Map<String, String> body) {
        String reason = body == null ? null : body.get("reason");
        boolean changed = pauses.pause(target, reason == null ? "paused through the admin API" : reason);
        return new PauseState(target, true, changed);
    }

    /** Work the switch held in the inbox is claimed at once, not at the next poll. */
    @DeleteMapping("/{target}")
    PauseState resume(@PathVariable String target) {
        PauseState state = new PauseState(target, false, pauses.resume(target));
        inboxWake.wake();
        return state;
    }
}
