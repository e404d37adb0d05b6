package io.sluice.crm.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.CrmRejectedException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CRM pipeline's stages ({@code crm.stage}) by name, read once, again every ten minutes and when a name is not
 * found. "Lost" is not a stage in Odoo: a lead is lost when archived with probability 0, so that name (when no stage
 * carries it) marks the lead lost without reading the stages again.
 */
final class OdooStages {

    /** Where a lead goes: a stage id (null to keep the stage) and whether it stays active. */
    record Placement(Long stageId, boolean active) {
    }

    private static final Duration TTL = Duration.ofMinutes(10);

    private final OdooClient odoo;
    private Map<String, Long> byName;
    private Instant readAt = Instant.MIN;

    OdooStages(OdooClient odoo) {
        this.odoo = odoo;
    }

    synchronized Placement place(String stage) {
        String name = stage.trim().toLowerCase(Locale.ROOT);
        boolean expired = byName == null || Instant.now().isAfter(readAt.plus(TTL));
        if (expired || (!byName.containsKey(name) && !"lost".equals(name))) {
            byName = read();
            readAt = Instant.now();
        }
        Long id = byName.get(name);
        if (id != null) {
            return new Placement(id, true);
        }
        if ("lost".equals(name)) {
            return new Placement(null, false);
        }
        throw new CrmRejectedException(missing(stage, byName.keySet()));
    }

    /** The stage names a mapping uses that Odoo lacks ("lost" never lacks: it is how a lead is marked lost). */
    synchronized List<String> missing(java.util.Collection<String> stageNames) {
        byName = read();
        readAt = Instant.now();
        return stageNames.stream().filter(n -> !"lost".equals(n.trim().toLowerCase(Locale.ROOT))
                && !byName.containsKey(n.trim().toLowerCase(Locale.ROOT))).sorted().toList();
    }

    synchronized List<String> names() {
        return new ArrayList<>(byName == null ? List.of() : byName.keySet());
    }

    static String missing(String stage, java.util.Collection<String> known) {
        return "Odoo has no CRM stage '" + stage + "'; its stages are " + new ArrayList<>(known)
                + " (and 'Lost', which marks the lead lost): fix valueMaps.stage in mappings/odoo.yaml";
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
