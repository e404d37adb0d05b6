package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.CrmRejectedException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CRM pipeline's stages ({@code crm.stage}) by name, read once and again when a name is not found. "Lost" is
 * not a stage in Odoo: a lead is lost when archived, so that name (when no stage carries it) archives the lead.
 */
final class OdooStages {

    /** Where a lead goes: a stage id (null to keep the stage) and whether it stays active. */
    record Placement(Long stageId, boolean active) {
    }

    private final OdooClient odoo;
    private Map<String, Long> byName;

    OdooStages(OdooClient odoo) {
        this.odoo = odoo;
    }

    synchronized Placement place(String stage) {
        String name = stage.trim().toLowerCase(Locale.ROOT);
        if (byName == null || !byName.containsKey(name)) {
            byName = read();
        }
        Long id = byName.get(name);
        if (id != null) {
            return new Placement(id, true);
        }
        if ("lost".equals(name)) {
            return new Placement(null, false);
        }
        throw new CrmRejectedException("Odoo has no CRM stage '" + stage + "'; its stages are " + new ArrayList<>(byName.keySet())
                + " (and 'Lost', which archives the lead): fix valueMaps.stage in mappings/odoo.yaml");
    }

    private Map<String, Long> read() {
        JsonNode found = odoo.searchRead("crm.stage", new ObjectMapper().createArrayNode(), List.of("id", "name"), 200);
        Map<String, Long> stages = new LinkedHashMap<>();
        if (found != null) {
            for (JsonNode stage : found) {
                stages.put(stage.path("name").asText().toLowerCase(Locale.ROOT), stage.path("id").asLong());
            }
        }
        return stages;
    }
}
