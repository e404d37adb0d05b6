package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.mapping.CrmChange;
import io.sluice.event.Timestamps;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingEngine;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/mappings/preview}: what the active mapping makes of a sample webhook body, and the requests the
 * CRM connector would send for it; writes nothing.
 */
@RestController
@RequestMapping("/api/mappings")
class MappingPreviewController {

    private final ActiveMapping mapping;
    private final io.sluice.crm.CrmConnector crm;

    MappingPreviewController(ActiveMapping mapping, io.sluice.crm.CrmConnector crm) {
        this.mapping = mapping;
        this.crm = crm;
    }

    /** What the mapping makes of a sample event, and the CRM requests it would send, exactly, without sending them. */
    record Preview(String provider, String mappingFile, String group, Instant sourceUpdatedAt, Map<String, Object> person,
                   Map<String, Object> opportunity, Map<String, Object> note, List<Map<String, Object>> requests) {
    }

    @PostMapping("/preview")
    Preview preview(@RequestBody JsonNode sample) {
        if (sample == null || !sample.path("type").isTextual()) {
            throw new IllegalArgumentException("send a Whop webhook body: a JSON object with 'type' and 'data'");
        }
        String type = sample.path("type").asText();
        Instant fallback = Timestamps.firstOf(sample.path("timestamp"));
        CrmChange change = MappingEngine.map(mapping.current(), sample.path("id").asText("preview"), type, sample,
                fallback == null ? Instant.EPOCH : fallback);
        return new Preview(mapping.current().provider(), mapping.current().file().toString(), change.group(),
                change.sourceUpdatedAt(), change.person(), change.opportunity(), change.note(), crm.preview(change));
    }
}
