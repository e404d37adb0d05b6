package io.sluice.crm.zoho;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a Zoho CRM org before Sluice writes to it: an access token (a refused refresh names the OAuth settings),
 * then the fields of Contacts and Deals ({@code GET /crm/<version>/settings/fields?module=…}): every field the
 * mapping writes exists and every stage value is a value of the Deals Stage picklist. A token without the scope to
 * read field settings is a warning, not a problem.
 */
final class ZohoSchemaCheck {

    private final ApiHttpClient http;
    private final ZohoTokens tokens;
    private final String version;
    private final String membershipIdField;

    ZohoSchemaCheck(ApiHttpClient http, ZohoTokens tokens, String version, String membershipIdField) {
        this.http = http;
        this.tokens = tokens;
        this.version = version;
        this.membershipIdField = membershipIdField;
    }

    CrmCheck run(CrmRequirements requirements) {
        Instant now = Instant.now();
        List<String> missing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            tokens.accessToken();
            List<String> contact = new ArrayList<>(requirements.personFields());
            contact.remove(CrmFieldSchema.PERSON_KEY);
            contact.add("Email"); // the mapping's email is Zoho's Email
            check("Contacts", contact, Set.of(), missing, warnings);
            List<String> deal = new ArrayList<>(requirements.opportunityFields());
            deal.remove(CrmFieldSchema.OPPORTUNITY_KEY);
            deal.add(membershipIdField);
            check("Deals", deal, requirements.stageValues(), missing, warnings);
        } catch (CrmRejectedException e) {
            return CrmCheck.problem(e.getMessage(), now);
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        if (!missing.isEmpty()) {
            return CrmCheck.problem("Zoho CRM lacks what the mapping writes: " + String.join("; ", missing)
                    + " (docs/connectors/zoho.md)", now);
        }
        return CrmCheck.ok(warnings, now);
    }

    private void check(String module, List<String> names, Set<String> stages, List<String> missing, List<String> warnings) {
        JsonNode answer;
        try {
            answer = http.send(new ApiRequest("check.fields." + module, "GET", "/crm/" + version + "/settings/fields", "module=" + module, null)).json();
        } catch (CrmRejectedException e) {
            warnings.add("the " + module + " fields were not checked: " + e.getMessage());
            return;
        }
        Map<String, JsonNode> fields = new HashMap<>();
        if (answer != null) {
            answer.path("fields").forEach(f -> fields.put(f.path("api_name").asText(), f));
        }
        if (fields.isEmpty()) {
            warnings.add("Zoho listed no " + module + " fields; not checked");
            return;
        }
        List<String> absent = names.stream().distinct().filter(n -> !fields.containsKey(n)).toList();
        if (!absent.isEmpty()) {
            missing.add(module + " field" + (absent.size() == 1 ? " " : "s ") + String.join(", ", absent) + " missing");
        }
        JsonNode stage = fields.get("Stage");
        if (!stages.isEmpty() && stage != null) {
            Set<String> values = new HashSet<>();
            stage.path("pick_list_values").forEach(v -> values.add(v.path("actual_value").asText()));
            Set<String> absentStages = new TreeSet<>(stages);
            absentStages.removeAll(values);
            if (!absentStages.isEmpty()) {
                missing.add("Stage value" + (absentStages.size() == 1 ? " " : "s ") + String.join(", ", absentStages)
                        + " missing from the Deals Stage picklist (it has " + new TreeSet<>(values) + ")");
            }
        }
    }
}
