package io.sluice.admin;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** {@code GET /api/status}: the answer of {@link SluiceStatusEndpoint} at the API's address. */
@RestController
class StatusController {

    private final SluiceStatusEndpoint endpoint;

    StatusController(SluiceStatusEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @GetMapping("/api/status")
    Map<String, Object> status() {
        return endpoint.status();
    }
}
