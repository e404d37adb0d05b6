package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * A WireMock Zoho CRM (accounts server and API on one host) whose answers have the shapes of Zoho's published SDK
 * structures (checked by {@code conformance/zoho/check.mjs}): upserts answer each record with a SuccessResponse,
 * {@code insert} the first time a key is seen and {@code update} after, or a per-record APIException for keys it is
 * told to refuse, or a 400 APIException for the whole request for keys it is told to reject; Notes get a
 * SuccessResponse without the upsert-only members. Ids start where ZohoConnectorTest's stubs have them.
 */
public final class ConformantZoho implements ResponseDefinitionTransformerV2 {

    private static final String NAME = "conformant-zoho";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UPSERT = Pattern.compile("/crm/v8/(Contacts|Deals)/upsert");
    private static final Pattern NOTE = Pattern.compile("/crm/v8/Notes/(\\d+)");
    private static final Map<String, Long> FIRST_IDS = Map.of("Contacts", 111111000000157040L, "Deals", 111111000000157039L,
            "Notes", 111111000000157333L);
    private static final Map<Pattern, String> OPERATIONS = Map.of(
            Pattern.compile("POST /crm/v8/Contacts/upsert"), "contact.upsert",
            Pattern.compile("POST /crm/v8/Deals/upsert"), "deal.upsert",
            Pattern.compile("POST /crm/v8/Notes"), "note.create",
            Pattern.compile("PUT /crm/v8/Notes/[^/]+"), "note.update",
            Pattern.compile("GET /crm/v8/settings/fields"), "check.fields");

    private final WireMockServer server;
    private final String authorization;
    private final Map<String, Map<String, String>> ids = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> nextIds = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();

    /** A started Zoho on a free port whose token endpoint hands out this access token, and whose API takes only it. */
    public ConformantZoho(String accessToken) {
        this.authorization = "Zoho-oauthtoken " + accessToken;
        this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(this));
        server.start();
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public WireMockServer server() {
        return server;
    }

    public void reset() {
        server.resetAll();
        ids.clear();
        nextIds.clear();
        refused.clear();
        rejected.clear();
        String token = authorization.substring("Zoho-oauthtoken ".length());
        server.stubFor(post(urlPathEqualTo("/oauth/v2/token")).willReturn(okJson("{\"access_token\":\"" + token
                + "\",\"expires_in\":3600,\"token_type\":\"Bearer\",\"scope\":\"ZohoCRM.modules.ALL\"}")));
        server.stubFor(post(urlPathMatching(UPSERT.pattern())).withHeader("Authorization", equalTo(authorization))
                .willReturn(aResponse().withTransformers(NAME)));
        server.stubFor(post(urlPathEqualTo("/crm/v8/Notes")).withHeader("Authorization", equalTo(authorization))
                .willReturn(aResponse().withTransformers(NAME)));
        server.stubFor(put(urlPathMatching(NOTE.pattern())).withHeader("Authorization", equalTo(authorization))
                .willReturn(aResponse().withTransformers(NAME)));
        server.stubFor(get(urlPathEqualTo("/crm/v8/settings/fields")).withQueryParam("module", equalTo("Contacts"))
                .withHeader("Authorization", equalTo(authorization))
                .willReturn(okJson(fields(List.of("Email", "First_Name", "Last_Name", "Whop_User_ID"), List.of()))));
        server.stubFor(get(urlPathEqualTo("/crm/v8/settings/fields")).withQueryParam("module", equalTo("Deals"))
                .withHeader("Authorization", equalTo(authorization))
                .willReturn(okJson(fields(List.of("Deal_Name", "Amount", "Stage", "Closing_Date", "Contact_Name", "Whop_Membership_ID"),
                        List.of("Qualification", "Value Proposition", "Negotiation/Review", "Closed Won", "Closed Lost")))));
    }

    /** A module's fields as Zoho lists them: api names, and the Stage picklist's values. */
    private static String fields(List<String> names, List<String> stages) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode fields = answer.putArray("fields");
        for (String name : names) {
            ObjectNode field = fields.addObject().put("api_name", name).put("field_label", name.replace('_', ' ')).put("data_type", "text");
            if (name.equals("Stage")) {
                field.put("data_type", "picklist");
                ArrayNode values = field.putArray("pick_list_values");
                stages.forEach(v -> values.addObject().put("display_value", v).put("actual_value", v));
            }
        }
        return answer.toString();
    }

    /** Upserts answer the record with this key (an email, a membership id) with a per-record error. */
    public void refuse(String key) {
        refused.add(key);
    }

    /** Upserts carrying a record with this key are answered 400 with an error for the whole request. */
    public void reject(String key) {
        rejected.add(key);
    }

    /**
     * The CRM API's exchanges, named as Sluice names its calls (a batch upsert gets " batch"); the OAuth token
     * refresh is left out: it is the accounts server's, outside the CRM API the SDK's structures describe.
     */
    public List<ObjectNode> exchanges() {
        return CrmConformance.exchanges(server, (method, path, body) -> {
            String name = CrmConformance.name(OPERATIONS, method, path);
            return name.endsWith(".upsert") && body != null && body.path("data").size() > 1 ? name + " batch" : name;
        }).stream().filter(e -> !e.path("path").asText().startsWith("/oauth/")).collect(Collectors.toList());
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String path = URI.create(event.getRequest().getUrl()).getPath();
        JsonNode body = body(event.getRequest().getBodyAsString());
        Matcher m;
        if ((m = UPSERT.matcher(path)).matches()) {
            String module = m.group(1);
            String keyField = body.path("duplicate_check_fields").path(0).asText();
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode data = answer.putArray("data");
            int index = 0;
            for (JsonNode record : body.path("data")) {
                String key = record.path(keyField).asText();
                if (rejected.contains(key)) {
                    return json(400, error(keyField, "$.data[" + index + "]." + keyField));
                }
                if (refused.contains(key)) {
                    data.add(error("Amount", "$.data[" + index + "].Amount"));
                } else {
                    boolean created = !ids.computeIfAbsent(module, k -> new ConcurrentHashMap<>()).containsKey(key);
                    String id = ids.get(module).computeIfAbsent(key, k -> nextId(module));
                    ObjectNode success = success(id, created ? "record added" : "record updated");
                    success.put("action", created ? "insert" : "update");
                    if (created) {
                        success.putNull("duplicate_field");
                    } else {
                        success.put("duplicate_field", keyField);
                    }
                    data.add(success);
                }
                index++;
            }
            return json(200, answer);
        }
        ObjectNode answer = JSON.createObjectNode();
        if (path.equals("/crm/v8/Notes")) {
            ArrayNode data = answer.putArray("data");
            body.path("data").forEach(record -> data.add(success(nextId("Notes"), "record added")));
            return json(201, answer);
        }
        if ((m = NOTE.matcher(path)).matches()) {
            answer.putArray("data").add(success(m.group(1), "record updated"));
            return json(200, answer);
        }
        return json(404, error("url", "$"));
    }

    private String nextId(String module) {
        return String.valueOf(nextIds.computeIfAbsent(module, k -> new AtomicLong(FIRST_IDS.get(k))).getAndIncrement());
    }

    private static ObjectNode success(String id, String message) {
        ObjectNode success = JSON.createObjectNode();
        success.put("code", "SUCCESS");
        ObjectNode details = success.putObject("details");
        String now = OffsetDateTime.now(ZoneOffset.ofHours(1)).format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")); // seconds even when :00, as Zoho writes them
        details.put("Modified_Time", now);
        details.putObject("Modified_By").put("name", "Sluice Integration").put("id", "111111000000054001");
        details.put("Created_Time", now);
        details.put("id", id);
        details.putObject("Created_By").put("name", "Sluice Integration").put("id", "111111000000054001");
        success.put("message", message);
        success.put("status", "success");
        return success;
    }

    private static ObjectNode error(String apiName, String jsonPath) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", "INVALID_DATA");
        error.putObject("details").put("api_name", apiName).put("json_path", jsonPath);
        error.put("message", "invalid data");
        error.put("status", "error");
        return error;
    }

    private static JsonNode body(String text) {
        try {
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static ResponseDefinition json(int status, ObjectNode body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body.toString()).build();
    }
}
