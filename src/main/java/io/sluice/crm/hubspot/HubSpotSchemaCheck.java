package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmRequirements;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiRequest;
import io.sluice.mapping.CrmFieldSchema;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a HubSpot account before Sluice writes to it: the properties of contacts and deals (one
 * {@code GET /crm/v3/properties/<object>} each; the first also proves the token) and the deal pipeline's stages.
 * A missing property, a membership property without unique values or a missing stage is a problem the operator must
 * fix in HubSpot; a token whose scopes may not read properties is a warning, not a problem.
 */
final class HubSpotSchemaCheck {

    private final ApiHttpClient http;
    private final HubSpotPipelines pipelines;
    private final String membershipIdProperty;
    private final HubSpotRequests requests;

    HubSpotSchemaCheck(ApiHttpClient http, HubSpotPipelines pipelines, String membershipIdProperty, HubSpotRequests requests) {
        this.http = http;
        this.pipelines = pipelines;
        this.membershipIdProperty = membershipIdProperty;
        this.requests = requests;
    }

    CrmCheck run(CrmRequirements requirements) {
        Instant now = Instant.now();
        List<String> missing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            List<String> contact = new ArrayList<>(requirements.personFields());
            check("contacts", contact, null, missing, warnings);
            List<String> deal = new ArrayList<>(requirements.opportunityFields());
            deal.remove(CrmFieldSchema.OPPORTUNITY_KEY);
            deal.add(membershipIdProperty);
            check("deals", deal, membershipIdProperty, missing, warnings);
            String noteIdProperty = requests.noteIdProperty();
            if (noteIdProperty != null) {
                // without it notes still work, created once: say so, and upsert only once it is there and unique
                List<String> notesMissing = new ArrayList<>();
                boolean checked = check("notes", List.of(noteIdProperty), noteIdProperty, notesMissing, warnings);
                if (checked) {
                    requests.noteIdPropertyFound(notesMissing.isEmpty()); // unchecked: what was known stays
                }
                if (checked && !notesMissing.isEmpty()) {
                    warnings.add("notes are created once with a plain POST, so a lost answer can leave a second copy: "
                            + String.join("; ", notesMissing) + " (create it with unique values to make note writes idempotent)");
                }
            }
            List<String> stagesMissing = new ArrayList<>();
            for (String stage : requirements.stageValues()) {
                try {
                    pipelines.resolve(stage);
                } catch (CrmRejectedException noSuchStage) {
                    stagesMissing.add(stage);
                }
            }
            if (!stagesMissing.isEmpty()) {
                missing.add("deal stages " + stagesMissing + " missing in pipeline: " + pipelines.describe());
            }
        } catch (CrmRejectedException e) {
            return CrmCheck.problem(e.getMessage(), now);
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        if (!missing.isEmpty()) {
            return CrmCheck.problem("HubSpot lacks what the mapping writes: " + String.join("; ", missing)
                    + " (docs/connectors/hubspot.md)", now);
        }
        return CrmCheck.ok(warnings, now);
    }

    /** Reads an object's properties; a 401 (a bad token) propagates, a 403 (a scope missing) is a warning. */
    /** @return false when HubSpot's answer did not let it check ({@code warnings} says why) */
    private boolean check(String object, List<String> names, String unique, List<String> missing, List<String> warnings) {
        JsonNode answer;
        try {
            answer = http.send(new ApiRequest("check.properties." + object, "GET", "/crm/v3/properties/" + object, "archived=false", null)).json();
        } catch (CrmRejectedException e) {
            if (e.getMessage().contains("HTTP 401")) {
                throw e;
            }
            warnings.add("the " + object + " properties were not checked: " + e.getMessage());
            return false;
        }
        Map<String, JsonNode> properties = new HashMap<>();
        if (answer != null) {
            answer.path("results").forEach(p -> properties.put(p.path("name").asText(), p));
        }
        if (properties.isEmpty()) {
            warnings.add("HubSpot listed no " + object + " properties; not checked");
            return false;
        }
        List<String> absent = names.stream().distinct().filter(n -> !properties.containsKey(n)).toList();
        if (!absent.isEmpty()) {
            missing.add(object + " propert" + (absent.size() == 1 ? "y " : "ies ") + String.join(", ", absent) + " missing");
        }
        if (unique != null && properties.containsKey(unique) && !properties.get(unique).path("hasUniqueValue").asBoolean(false)) {
            missing.add(object + " property " + unique + " must be created with unique values (hasUniqueValue)");
        }
        return true;
    }

}
