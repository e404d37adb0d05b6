package io.sluice.admin;

import io.sluice.crm.local.LocalCrmReader;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.HashMap;
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
    Map<String, Object> people(@RequestParam(required = false) String email, @RequestParam(required = false) Integer limit) {
        return page(reader.people(email, Limits.of(limit)));
    }

    @GetMapping("/opportunities")
    Map<String, Object> opportunities(@RequestParam(required = false) String membershipId, @RequestParam(required = false) Integer limit) {
        return page(reader.opportunities(membershipId, Limits.of(limit)));
    }

    @GetMapping("/notes")
    Map<String, Object> notes(@RequestParam(required = false) String personEmail, @RequestParam(required = false) Integer limit) {
        return page(reader.notes(personEmail, Limits.of(limit)));
    }

    private static Map<String, Object> page(List<Map<String, Object>> items) {
        Map<String, Object> body = new HashMap<>();
        body.put("items", items);
        body.put("next", null);
        return body;
    }
}
