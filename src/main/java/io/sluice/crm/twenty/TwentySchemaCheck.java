package io.sluice.crm.twenty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.crm.CrmRequirements;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a Twenty workspace before Sluice writes to it, in two calls: one record read ({@code GET /rest/people?limit=1})
 * proves the API key and the REST API, one metadata query lists every object's fields and select options. A missing
 * custom field, stage option or noteTarget relation is a problem the operator must fix in Twenty's data model;
 * metadata Sluice cannot read (a key whose role may not read the data model) is a warning, not a problem.
 */
final class TwentySchemaCheck {

    static final String MINIMUM_VERSION = "a Twenty release whose REST API upserts (?upsert=true), such as 2.21";

    /** One metadata query: every object with its fields; options are the values a SELECT field takes. */
    private static final String OBJECTS_QUERY = "query SluiceSchemaCheck { objects(paging: {first: 1000}) { edges { node { "
            + "nameSingular fields(paging: {first: 1000}) { edges { node { name type isActive options } } } } } } }";


    private final ApiHttpClient http;
    private final ObjectMapper json;
    private final String noteTargetPersonField;
    private final String noteTargetOpportunityField;

    TwentySchemaCheck(ApiHttpClient http, ObjectMapper json, String noteTargetPersonField, String noteTargetOpportunityField) {
        this.http = http;
        this.json = json;
        this.noteTargetPersonField = noteTargetPersonField;
        this.noteTargetOpportunityField = noteTargetOpportunityField;
    }

    CrmCheck run(CrmRequirements requirements) {
        Instant now = Instant.now();
        try {
            ApiResponse people = http.send(new ApiRequest("check.people.read", "GET", "/rest/people", "limit=1", null));
            if (people.json() == null || !people.json().path("data").path("people").isArray()) {
                // no excerpt: the answer may hold a person's data
                return CrmCheck.problem("TWENTY_BASE_URL does not answer like Twenty's REST API: GET /rest/people has no data.people", now);
            }
        } catch (CrmRejectedException e) {
            return CrmCheck.problem(e.getMessage(), now);
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        Map<String, Map<String, JsonNode>> objects;
        String graphQlError;
        try {
            ApiResponse metadata = http.send(new ApiRequest("check.metadata.read", "POST", "/metadata", null,
                    json.createObjectNode().put("query", OBJECTS_QUERY)));
            objects = objects(metadata);
            // GraphQL reports its errors (a key that may not read the data model, say) with HTTP 200
            JsonNode error = metadata.json() == null ? null : metadata.json().path("errors").path(0).path("message");
            graphQlError = error != null && error.isTextual() ? " (" + error.asText() + ")" : "";
        } catch (CrmRejectedException e) {
            return CrmCheck.ok(List.of("the data model was not checked: " + e.getMessage()), now);
        } catch (CrmException e) {
            return CrmCheck.unreachable(e.getMessage(), now);
        }
        if (objects == null) {
            return CrmCheck.ok(List.of("the data model was not checked: Twenty's metadata API gave no object list" + graphQlError), now);
        }
        List<String> missing = new ArrayList<>();
        requireFields(objects, "person", personFields(requirements), missing);
        requireFields(objects, "opportunity", opportunityFields(requirements), missing);
        requireFields(objects, "note", noteFields(requirements), missing);
        requireFields(objects, "noteTarget", List.of(relation(noteTargetPersonField), relation(noteTargetOpportunityField)), missing);
        JsonNode stage = objects.getOrDefault("opportunity", Map.of()).get("stage");
        if (stage != null && !requirements.stageValues().isEmpty()) {
            Set<String> options = new HashSet<>();
            stage.path("options").forEach(o -> options.add(o.path("value").asText()));
            Set<String> absent = new TreeSet<>(requirements.stageValues());
            absent.removeAll(options);
            if (!absent.isEmpty()) {
                missing.add("stage option" + (absent.size() == 1 ? " " : "s ") + String.join(", ", absent)
                        + " missing on Opportunities (Twenty has " + String.join(", ", new TreeSet<>(options)) + ")");
            }
        }
        if (!missing.isEmpty()) {
            return CrmCheck.problem("Twenty's data model lacks what the mapping writes: " + String.join("; ", missing)
                    + ". Add them in Settings -> Data model (docs/connectors/twenty.md)", now);
        }
        return CrmCheck.ok(List.of(), now);
    }

    /** The metadata answer as object name -> field name -> field; null when it holds no object list. */
    private static Map<String, Map<String, JsonNode>> objects(ApiResponse response) {
        JsonNode edges = response.json() == null ? null : response.json().path("data").path("objects").path("edges");
        if (edges == null || !edges.isArray() || edges.isEmpty()) {
            return null;
        }
        Map<String, Map<String, JsonNode>> objects = new HashMap<>();
        for (JsonNode edge : edges) {
            Map<String, JsonNode> fields = new HashMap<>();
            for (JsonNode field : edge.path("node").path("fields").path("edges")) {
                if (field.path("node").path("isActive").asBoolean(true)) {
                    fields.put(field.path("node").path("name").asText(), field.path("node"));
                }
            }
            objects.put(edge.path("node").path("nameSingular").asText(), fields);
        }
        return objects;
    }

    private static void requireFields(Map<String, Map<String, JsonNode>> objects, String object, List<String> names, List<String> missing) {
        Map<String, JsonNode> fields = objects.get(object);
        if (fields == null) {
            missing.add("object " + object + " missing");
            return;
        }
        for (String name : names) {
            if (!fields.containsKey(name)) {
                missing.add("field " + name + " missing on " + object);
            }
        }
    }

    /** A relation's field name in the metadata: {@code targetPersonId} is the join column of {@code targetPerson}. */
    private static String relation(String joinColumn) {
        return joinColumn.endsWith("Id") ? joinColumn.substring(0, joinColumn.length() - 2) : joinColumn;
    }

    private static List<String> personFields(CrmRequirements r) {
        List<String> names = new ArrayList<>(List.of("emails"));
        if (r.personFields().contains("firstName") || r.personFields().contains("lastName")) {
            names.add("name");
        }
        r.personFields().stream().filter(f -> !TwentyRequests.PERSON_COMPOSED.contains(f)).forEach(names::add);
        return names;
    }

    private static List<String> opportunityFields(CrmRequirements r) {
        List<String> names = new ArrayList<>();
        if (r.opportunityFields().isEmpty()) {
            return names;
        }
        names.add("pointOfContact");
        if (r.opportunityFields().contains("amount")) {
            names.add("amount");
        }
        if (r.opportunityFields().contains("closeDate")) {
            names.add("closeDate");
        }
        r.opportunityFields().stream().filter(f -> !TwentyRequests.OPPORTUNITY_COMPOSED.contains(f)).forEach(names::add);
        return names;
    }

    private static List<String> noteFields(CrmRequirements r) {
        List<String> names = new ArrayList<>();
        if (r.noteFields().contains("title")) {
            names.add("title");
        }
        if (r.noteFields().contains("body")) {
            names.add("bodyV2");
        }
        r.noteFields().stream().filter(f -> !TwentyRequests.NOTE_COMPOSED.contains(f)).forEach(names::add);
        return names;
    }
}
