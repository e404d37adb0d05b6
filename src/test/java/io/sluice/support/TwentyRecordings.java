package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * Answers recorded from a real Twenty 2.21.0 server (src/test/resources/fixtures/twenty-2.21/, see its README),
 * served by WireMock exactly as recorded: status, headers and body. Where an answer must name what the request
 * sent (a batch of people matched back by email), {@link PeopleEcho} answers in the recorded shape, one copy of the
 * recorded record per requested person.
 */
public final class TwentyRecordings {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordedExchanges RECORDED = new RecordedExchanges("twenty-2.21");

    private TwentyRecordings() {
    }

    public static JsonNode exchange(String name) {
        return RECORDED.exchange(name);
    }

    /** The recorded answer of exchange {@code name}. */
    public static ResponseDefinitionBuilder answer(String name) {
        return RECORDED.answer(name);
    }

    /** The id of the first person in a recorded people batch answer. */
    public static String personId(String name) {
        return exchange(name).path("response").path("body").path("data").path("createPeople").path(0).path("id").asText();
    }

    /**
     * A metadata answer in the shape of Twenty's {@code objects} query: the given fields per object, and the
     * opportunity stage's options as recorded after AT_RISK and LOST were added (less any in {@code withoutStages}).
     */
    public static ResponseDefinitionBuilder metadata(Map<String, List<String>> fields, Set<String> withoutStages) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode objects = body.putObject("data").putObject("objects").putArray("edges");
        JsonNode stage = exchange("metadata-update-field-opportunity-stage-add-options").path("response").path("body")
                .path("data").path("updateOneField").deepCopy();
        ArrayNode options = JSON.createArrayNode();
        stage.path("options").forEach(o -> {
            if (!withoutStages.contains(o.path("value").asText())) {
                options.add(o);
            }
        });
        ((ObjectNode) stage).set("options", options);
        fields.forEach((object, names) -> {
            ObjectNode node = objects.addObject().putObject("node").put("nameSingular", object);
            ArrayNode edges = node.putObject("fields").putArray("edges");
            for (String name : names) {
                if (object.equals("opportunity") && name.equals("stage")) {
                    edges.addObject().set("node", stage);
                } else {
                    edges.addObject().putObject("node").put("name", name).put("type", "TEXT").put("isActive", true).putNull("options");
                }
            }
        });
        return aResponse().withStatus(200).withHeader("content-type", "application/json; charset=utf-8").withBody(body.toString());
    }

    /** The data model of a workspace set up as docs/connectors/twenty.md asks. */
    public static Map<String, List<String>> preparedWorkspace() {
        return Map.of("person", List.of("id", "name", "emails", "jobTitle", "city", "whopUserId"),
                "opportunity", List.of("id", "name", "amount", "closeDate", "stage", "pointOfContact"),
                "note", List.of("id", "title", "bodyV2"),
                "noteTarget", List.of("id", "note", "targetPerson", "targetOpportunity", "targetCompany"));
    }

    /** Answers a people batch upsert the way Twenty 2.21 does, with each requested person's email and a stable id. */
    public static final class PeopleEcho implements ResponseDefinitionTransformerV2 {

        public static final String NAME = "twenty-people-echo";

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                JsonNode template = exchange("batch-people-upsert-create").path("response").path("body").path("data").path("createPeople").path(0);
                ArrayNode people = JSON.createArrayNode();
                for (JsonNode requested : JSON.readTree(serveEvent.getRequest().getBodyAsString())) {
                    ObjectNode person = template.deepCopy();
                    String email = requested.path("emails").path("primaryEmail").asText();
                    person.put("id", UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString());
                    ((ObjectNode) person.path("emails")).put("primaryEmail", email);
                    if (requested.has("name")) {
                        person.set("name", requested.path("name"));
                    }
                    people.add(person);
                }
                ObjectNode body = JSON.createObjectNode();
                body.putObject("data").set("createPeople", people);
                return ResponseDefinitionBuilder.like(serveEvent.getResponseDefinition()).but().withBody(body.toString()).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** A stable id per email, as {@link PeopleEcho} answers it. */
    public static String echoedId(String email) {
        return UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
