package io.sluice.admin;

import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmPreflight;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/crm/check}: what the last check of the CRM found; {@code POST /api/crm/check}: check again now,
 * after fixing the CRM's side, instead of waiting for the next scheduled check.
 */
@RestController
@RequestMapping("/api/crm/check")
class CrmCheckController {

    private final CrmPreflight preflight;

    CrmCheckController(CrmPreflight preflight) {
        this.preflight = preflight;
    }

    @GetMapping
    CrmCheck last() {
        return preflight.last();
    }

    @PostMapping
    CrmCheck runNow() {
        return preflight.runNow();
    }
}
