package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * A WireMock HubSpot whose every answer has the shape HubSpot's published client models give it (checked by
 * {@code conformance/hubspot/check.mjs}): batch upserts answer each input with a result carrying its properties,
 * timestamps and an id that stays the same for the same key ({@code new} only the first time), a 207 with a
 * {@code StandardError} for keys it is told to refuse, a 400 with an {@code Error} for keys it is told to reject;
 * notes get ids on create; associations answer with their spec. Ids start where the other HubSpot tests' stubs
 * have them (contact 51, deal 18234567890, note 9001).
 */
public final class ConformantHubSpot implements ResponseDefinitionTransformerV2 {

    private static final String NAME = "conformant-hubspot";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATED = "2026-01-20T14:03:11.000Z";
    private static final Pattern BATCH_UPSERT = Pattern.compile("/crm/v3/objects/(contacts|deals|notes)/batch/upsert");
    private static final Pattern DEFAULT_ASSOCIATION =
            Pattern.compile("/crm/v4/objects/(deals|notes)/(\\d+)/associations/default/(contacts|deals)/(\\d+)");
    private static final Pattern NOTE = Pattern.compile("/crm/v3/objects/notes/(\\d+)");
    /** HubSpot-defined default association types: deal→contact, note→contact, note→deal. */
    private static final Map<String, Integer> ASSOCIATION_TYPES = Map.of("deals/contacts", 3, "notes/contacts", 202, "notes/deals", 214);
    private static final Map<String, Long> FIRST_IDS = Map.of("contacts", 51L, "deals", 18234567890L, "notes", 9001L);

    /** Sluice's name for each HubSpot call it makes (the operation of its ApiRequest), by method and path. */
    private static final Map<Pattern, String> OPERATIONS = Map.of(
            Pattern.compile("POST /crm/v3/objects/contacts/batch/upsert"), "contact.upsert",
            Pattern.compile("POST /crm/v3/objects/deals/batch/upsert"), "deal.upsert",
            Pattern.compile("POST /crm/v3/objects/notes/batch/upsert"), "note.upsert",
            Pattern.compile("GET /crm/v3/pipelines/deals"), "pipelines.read",
            Pattern.compile("PUT /crm/v4/objects/deals/[^/]+/associations/default/contacts/[^/]+"), "deal.associate",
            Pattern.compile("POST /crm/v4/associations/deals/contacts/batch/associate/default"), "deal.associate.batch",
            Pattern.compile("POST /crm/v3/objects/notes"), "note.create",
            Pattern.compile("PATCH /crm/v3/objects/notes/[^/]+"), "note.update",
            Pattern.compile("PUT /crm/v4/objects/notes/[^/]+/associations/default/(contacts|deals)/[^/]+"), "note.associate",
            Pattern.compile("GET /crm/v3/properties/(contacts|deals|notes)"), "check.properties");

    private final WireMockServer server;
    private final String authorization;
    private final Map<String, Map<String, String>> ids = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> nextIds = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();
    /** HubSpot's rolling window, when {@link #enforceRollingWindow} set one. */
    private final RollingWindow window = new RollingWindow();

    /** A started HubSpot on a free port that answers only requests with this bearer token. */
    public ConformantHubSpot(String token) {
        this.authorization = "Bearer " + token;
        this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(this));
        server.start();
    }

    public WireMockServer server() {
        return server;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /**
     * Answers as HubSpot does past its limit: more than {@code limit} requests in any {@code window} (rolling, not
     * refilled at fixed times) get 429 with policy {@code TEN_SECONDLY_ROLLING}, and count towards the window too.
     */
    public void enforceRollingWindow(int limit, java.time.Duration length) {
        window.enforce(limit, length, null);
    }

    /** The most requests that arrived in one window (any placement), since {@link #enforceRollingWindow}. */
    public int busiestWindow() {
        return window.busiestWindow();
    }

    /** How many requests were answered 429. */
    public int rateLimitedAnswers() {
        return window.tooManyAnswers();
    }

    /** Forgets every request, id and refusal, and stubs the endpoints again. */
    public void reset() {
        window.off();
        server.resetAll();
        ids.clear();
        nextIds.clear();
        refused.clear();
        rejected.clear();
        lostAnswers.clear();
        server.stubFor(authorized(post(urlPathMatching(BATCH_UPSERT.pattern()))).willReturn(answered()));
        server.stubFor(authorized(post(urlPathEqualTo("/crm/v4/associations/deals/contacts/batch/associate/default"))).willReturn(answered()));
        server.stubFor(authorized(put(urlPathMatching(DEFAULT_ASSOCIATION.pattern()))).willReturn(answered()));
        server.stubFor(authorized(post(urlPathEqualTo("/crm/v3/objects/notes"))).willReturn(answered()));
        server.stubFor(authorized(patch(urlPathMatching(NOTE.pattern()))).willReturn(answered()));
        server.stubFor(authorized(get(urlPathEqualTo("/crm/v3/pipelines/deals"))).willReturn(okJson(pipelines())));
        server.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/contacts")))
                .willReturn(okJson(properties("contactinformation", List.of("email", "firstname", "lastname", "whop_user_id"), null))));
        server.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/deals"))).willReturn(okJson(properties("dealinformation",
                List.of("dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "whop_membership_id"), "whop_membership_id"))));
        server.stubFor(authorized(get(urlPathEqualTo("/crm/v3/properties/notes")))
                .willReturn(okJson(properties("notes", List.of("hs_note_body", "hs_timestamp", "whop_note_id"), "whop_note_id"))));
    }

    /** An object's properties as HubSpot lists them ({@code CollectionResponsePropertyNoPaging}); {@code unique} has unique values. */
    private static String properties(String group, List<String> names, String unique) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("results");
        for (String name : names) {
            ObjectNode property = results.addObject();
            property.put("name", name);
            property.put("label", name);
            property.put("type", "string");
            property.put("fieldType", "text");
            property.put("description", "");
            property.put("groupName", group);
            property.putArray("options");
            property.put("hasUniqueValue", name.equals(unique));
            property.put("createdAt", CREATED);
            property.put("updatedAt", CREATED);
        }
        return answer.toString();
    }

    /** Every exchange so far, named as Sluice names its calls; a batch upsert of more than one input gets " batch". */
    public List<ObjectNode> exchanges() {
        return CrmConformance.exchanges(server, (method, path, body) -> {
            String name = CrmConformance.name(OPERATIONS, method, path);
            return name.endsWith(".upsert") && body != null && body.path("inputs").size() > 1 ? name + " batch" : name;
        });
    }

    /** Batch upserts answer this key (an email, a membership id) with a batch error: a 207. */
    public void refuse(String key) {
        refused.add(key);
    }

    /** Batch upserts that carry this key are answered 400 with HubSpot's error body. */
    public void reject(String key) {
        rejected.add(key);
    }

    private MappingBuilder authorized(MappingBuilder request) {
        return request.withHeader("Authorization", equalTo(authorization));
    }

    private static ResponseDefinitionBuilder answered() {
        return aResponse().withTransformers(NAME);
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    /** How many notes HubSpot holds (each id once), however often they were written. */
    public int notesHeld() {
        return (int) (nextIds.containsKey("notes") ? nextIds.get("notes").get() - FIRST_IDS.get("notes") : 0);
    }

    /**
     * The next write to a path starting with {@code pathPrefix} is done, but its answer comes only after
     * {@code delay}: longer than Sluice waits, as when a network drops HubSpot's answer.
     */
    public void loseNextAnswer(String pathPrefix, java.time.Duration delay) {
        lostAnswers.put(pathPrefix, delay);
    }

    private final Map<String, java.time.Duration> lostAnswers = new ConcurrentHashMap<>();

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        ResponseDefinition answer = answer(event);
        String path = URI.create(event.getRequest().getUrl()).getPath();
        for (String prefix : lostAnswers.keySet()) {
            if (path.startsWith(prefix) && answer.getStatus() < 300) {
                java.time.Duration delay = lostAnswers.remove(prefix);
                if (delay != null) {
                    return ResponseDefinitionBuilder.like(answer).withFixedDelay((int) delay.toMillis()).build();
                }
            }
        }
        return answer;
    }

    private ResponseDefinition answer(ServeEvent event) {
        String path = URI.create(event.getRequest().getUrl()).getPath();
        String method = event.getRequest().getMethod().value();
        JsonNode body = body(event.getRequest().getBodyAsString());
        if (!window.admits()) {
            ObjectNode limit = JSON.createObjectNode();
            limit.put("status", "error");
            limit.put("message", "You have reached your ten_secondly_rolling limit.");
            limit.put("errorType", "RATE_LIMIT");
            limit.put("correlationId", UUID.randomUUID().toString());
            limit.put("policyName", "TEN_SECONDLY_ROLLING");
            limit.put("groupName", "publicapi:private-app:1");
            return json(429, limit);
        }
        Matcher m;
        if ((m = BATCH_UPSERT.matcher(path)).matches()) {
            return batchUpsert(m.group(1), body);
        }
        if (path.equals("/crm/v4/associations/deals/contacts/batch/associate/default")) {
            ObjectNode answer = batchAnswer();
            ArrayNode results = answer.putArray("results");
            body.path("inputs").forEach(input -> results.add(association(input.path("from").path("id").asText(),
                    input.path("to").path("id").asText(), ASSOCIATION_TYPES.get("deals/contacts"))));
            return json(200, answer);
        }
        if ((m = DEFAULT_ASSOCIATION.matcher(path)).matches()) {
            ObjectNode answer = batchAnswer();
            answer.putArray("results").add(association(m.group(2), m.group(4), ASSOCIATION_TYPES.get(m.group(1) + "/" + m.group(3))));
            return json(200, answer);
        }
        if (path.equals("/crm/v3/objects/notes") && method.equals("POST")) {
            return json(201, record(nextId("notes"), body.path("properties"), null));
        }
        if ((m = NOTE.matcher(path)).matches() && method.equals("PATCH")) {
            return json(200, record(m.group(1), body.path("properties"), null));
        }
        return json(404, error("OBJECT_NOT_FOUND", "no such endpoint in this test's HubSpot: " + method + " " + path));
    }

    private ResponseDefinition batchUpsert(String objectType, JsonNode body) {
        ObjectNode answer = batchAnswer();
        ArrayNode results = answer.putArray("results");
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode input : body.path("inputs")) {
            String key = input.path("id").asText();
            if (rejected.contains(key)) {
                ObjectNode error = error("VALIDATION_ERROR", "Property values were not valid: [{\"isValid\":false,\"message\":\""
                        + key + " is not valid\",\"error\":\"INVALID_EMAIL\",\"name\":\"" + input.path("idProperty").asText() + "\"}]");
                error.putArray("errors").addObject().put("message", key + " is not valid").put("code", "INVALID_EMAIL")
                        .putObject("context").putArray("propertyName").add(input.path("idProperty").asText());
                return json(400, error);
            }
            if (refused.contains(key)) {
                ObjectNode error = errors.addObject();
                error.put("status", "error");
                error.put("category", "VALIDATION_ERROR");
                error.put("message", "Property values were not valid: amount for " + key);
                error.putObject("context").putArray("id").add(key);
                error.putObject("links");
                error.putArray("errors");
                continue;
            }
            boolean created = !ids.computeIfAbsent(objectType, t -> new ConcurrentHashMap<>()).containsKey(key);
            String id = ids.get(objectType).computeIfAbsent(key, k -> nextId(objectType));
            results.add(record(id, input.path("properties"), created));
        }
        if (!errors.isEmpty()) {
            answer.put("numErrors", errors.size());
            answer.set("errors", errors);
            return json(207, answer);
        }
        return json(200, answer);
    }

    private String nextId(String objectType) {
        return String.valueOf(nextIds.computeIfAbsent(objectType, t -> new AtomicLong(FIRST_IDS.get(t))).getAndIncrement());
    }

    /** A SimplePublicObject (or, with {@code created}, a SimplePublicUpsertObject): the properties sent, and HubSpot's own. */
    private static ObjectNode record(String id, JsonNode sent, Boolean created) {
        ObjectNode record = JSON.createObjectNode();
        record.put("id", id);
        ObjectNode properties = record.putObject("properties");
        sent.fields().forEachRemaining(p -> properties.set(p.getKey(), p.getValue()));
        properties.put("hs_object_id", id);
        record.put("createdAt", CREATED);
        record.put("updatedAt", Instant.now().toString());
        record.put("archived", false);
        if (created != null) {
            record.put("new", created);
        }
        return record;
    }

    private static ObjectNode association(String fromId, String toId, int typeId) {
        ObjectNode association = JSON.createObjectNode();
        association.putObject("from").put("id", fromId);
        association.putObject("to").put("id", toId);
        association.putObject("associationSpec").put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", typeId);
        return association;
    }

    private static ObjectNode batchAnswer() {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("status", "COMPLETE");
        String now = Instant.now().toString();
        answer.put("startedAt", now);
        answer.put("completedAt", now);
        return answer;
    }

    /** HubSpot's error body as the client's Error model has it. */
    private static ObjectNode error(String category, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("category", category);
        error.put("correlationId", UUID.randomUUID().toString());
        error.put("message", message);
        error.putObject("context");
        error.putObject("links");
        return error;
    }

    /** The default Sales Pipeline, as the other HubSpot tests stub it, with the fields HubSpot always sends. */
    private static String pipelines() {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode pipeline = answer.putArray("results").addObject();
        pipeline.put("id", "default");
        pipeline.put("label", "Sales Pipeline");
        pipeline.put("displayOrder", 0);
        pipeline.put("archived", false);
        pipeline.put("createdAt", CREATED);
        pipeline.put("updatedAt", CREATED);
        ArrayNode stages = pipeline.putArray("stages");
        String[][] all = {{"appointmentscheduled", "Appointment Scheduled", "0.2", "false"}, {"qualifiedtobuy", "Qualified To Buy", "0.4", "false"},
                {"decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"}, {"closedwon", "Closed Won", "1.0", "true"},
                {"closedlost", "Closed Lost", "0.0", "true"}};
        for (int i = 0; i < all.length; i++) {
            ObjectNode stage = stages.addObject();
            stage.put("id", all[i][0]);
            stage.put("label", all[i][1]);
            stage.put("displayOrder", i);
            stage.putObject("metadata").put("probability", all[i][2]).put("isClosed", all[i][3]);
            stage.put("archived", false);
            stage.put("createdAt", CREATED);
            stage.put("updatedAt", CREATED);
            stage.put("writePermissions", "CRM_PERMISSIONS_ENFORCEMENT");
        }
        return answer.toString();
    }

    private static JsonNode body(String text) {
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static ResponseDefinition json(int status, ObjectNode body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body.toString()).build();
    }
}
