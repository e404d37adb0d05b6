package io.sluice.crm;

import io.sluice.mapping.EventGroup;
import io.sluice.mapping.Mapping;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the active mapping writes to the CRM: the field names of each object (in the mapping's words, before the
 * connector composes them) and every stage value it can set. A connector checks these against its CRM.
 */
public record CrmRequirements(Set<String> personFields, Set<String> opportunityFields, Set<String> noteFields, Set<String> stageValues) {

    /** The opportunity field holding the pipeline stage: Twenty and Odoo {@code stage}, HubSpot {@code dealstage}, Zoho {@code Stage}. */
    private static final Set<String> STAGE_FIELDS = Set.of("stage", "dealstage", "Stage");

    public static CrmRequirements of(Mapping mapping) {
        Set<String> person = new TreeSet<>();
        Set<String> opportunity = new TreeSet<>();
        Set<String> note = new TreeSet<>();
        Set<String> stages = new TreeSet<>();
        for (EventGroup group : mapping.groups()) {
            person.addAll(group.person().keySet());
            opportunity.addAll(group.opportunity().keySet());
            note.addAll(group.note().keySet());
            group.opportunity().forEach((name, stage) -> {
                if (!STAGE_FIELDS.contains(name)) {
                    return;
                }
                if (stage.valueMap() != null) {
                    stages.addAll(mapping.valueMaps().getOrDefault(stage.valueMap(), Map.of()).values());
                } else if (stage.constant() != null) {
                    stages.add(stage.constant().toString());
                }
            });
        }
        return new CrmRequirements(Set.copyOf(person), Set.copyOf(opportunity), Set.copyOf(note), Set.copyOf(stages));
    }
}
