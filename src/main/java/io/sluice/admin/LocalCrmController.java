package io.sluice.admin;

import io.sluice.crm.local.LocalCrmReader;
import io.sluice.store.Page;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** Reads of the {@code local} CRM store. */
@RestController
@RequestMapping("/api/crm")
class LocalCrmController {

    private final LocalCrmReader reader;

    LocalCrmController(LocalCrmReader reader) {
        this.reader = reader;
    }

    @GetMapping("/people")
    Page<Map<String, Object>> people(@RequestParam(required = false) String email, @RequestParam(required = false) Integer limit) {
        return page(reader.people(email, Limits.of(limit)));
    }

    @GetMapping("/opportunities")
    Page<Map<String, Object>> opportunities(@RequestParam(required = false) String membershipId, @RequestParam(required = false) Integer limit) {
        return page(reader.opportunities(membershipId, Limits.of(limit)));
    }

    @GetMapping("/notes")
    Page<Map<String, Object>> notes(@RequestParam(required = false) String personEmail, @RequestParam(required = false) Integer limit) {
        return page(reader.notes(personEmail, Limits.of(limit)));
    }

    /** The local CRM's records (their fields are whatever the mapping writes), as a page like every other list. */
    private static Page<Map<String, Object>> page(List<Map<String, Object>> items) {
        return new Page<>(items, null);
    }
}
