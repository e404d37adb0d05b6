package io.sluice.admin;

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

    PausesController(PauseStore pauses) {
        this.pauses = pauses;
    }

    @GetMapping
    Map<String, Object> list() {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("items", pauses.list());
        body.put("next", null);
        return body;
    }

    /** Optional body {@code {"reason": "..."}}. */
    @PutMapping("/{target}")
    Map<String, Object> pause(@PathVariable String target, @RequestBody(required = false) Map<String, String> body) {
        String reason = body == null ? null : body.get("reason");
        boolean changed = pauses.pause(target, reason == null ? "paused through the admin API" : reason);
        return Map.of("target", target, "paused", true, "changed", changed);
    }

    @DeleteMapping("/{target}")
    Map<String, Object> resume(@PathVariable String target) {
        boolean changed = pauses.resume(target);
        return Map.of("target", target, "paused", false, "changed", changed);
    }
}
