package io.sluice.crm.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Resolves the configured deal pipeline and the mapping's stage values (a stage id or its label) to HubSpot's
 * internal ids, from {@code GET /crm/v3/pipelines/deals}, cached for a while and refreshed once on a miss
 * (custom stages have numeric ids; always resolve).
 */
final class HubSpotPipelines {

    /** A pipeline and its stages as HubSpot lists them. */
    record Pipeline(String id, String label, List<Stage> stages) {
    }

    record Stage(String id, String label) {
    }

    private final ApiHttpClient http;
    private final String configured;
    private final Duration ttl;
    private final Clock clock;
    private volatile List<Pipeline> cached;
    private volatile Instant fetchedAt = Instant.EPOCH;

    HubSpotPipelines(ApiHttpClient http, String configured, Duration ttl, Clock clock) {
        this.http = http;
        this.configured = configured;
        this.ttl = ttl;
        this.clock = clock;
    }

    static ApiRequest request() {
        return new ApiRequest("pipelines.read", "GET", "/crm/v3/pipelines/deals", null, null);
    }

    /** The pipeline id and the stage id for {@code stage}; fails with the stages there are when it has no such stage. */
    synchronized String[] resolve(String stage) {
        if (cached == null || fetchedAt.plus(ttl).isBefore(clock.instant())) {
            fetch();
        }
        String[] found = find(stage);
        if (found == null) {
            fetch(); // a stage added since the last look
            found = find(stage);
        }
        if (found == null) {
            Pipeline pipeline = pipeline();
            throw new CrmRejectedException("HubSpot deal pipeline '" + configured + "' has no stage '" + stage + "'; its stages are "
                    + (pipeline == null ? "(pipeline not found; pipelines: " + cached.stream().map(Pipeline::label).toList() + ")"
                    : pipeline.stages().stream().map(s -> s.id() + " (" + s.label() + ")").toList())
                    + ": fix valueMaps.stage in mappings/hubspot.yaml or sluice.crm.hubspot.pipeline");
        }
        return found;
    }

    /** The configured pipeline's stages as HubSpot lists them, for messages; read again first. */
    synchronized String describe() {
        fetch();
        Pipeline pipeline = pipeline();
        return pipeline == null ? "no pipeline '" + configured + "' (pipelines: " + cached.stream().map(Pipeline::label).toList() + ")"
                : "'" + pipeline.label() + "' has " + pipeline.stages().stream().map(s -> s.id() + " (" + s.label() + ")").toList();
    }

    private String[] find(String stage) {
        Pipeline pipeline = pipeline();
        if (pipeline == null) {
            return null;
        }
        for (Stage s : pipeline.stages()) {
            if (s.id().equals(stage) || s.label().toLowerCase(Locale.ROOT).equals(stage.toLowerCase(Locale.ROOT))) {
                return new String[]{pipeline.id(), s.id()};
            }
        }
        return null;
    }

    private Pipeline pipeline() {
        for (Pipeline p : cached) {
            if (p.id().equals(configured) || p.label().equalsIgnoreCase(configured)) {
                return p;
            }
        }
        return null;
    }

    private void fetch() {
        JsonNode json = http.send(request()).json();
        List<Pipeline> pipelines = new ArrayList<>();
        for (JsonNode p : json.path("results")) {
            List<Stage> stages = new ArrayList<>();
            for (JsonNode s : p.path("stages")) {
                stages.add(new Stage(s.path("id").asText(), s.path("label").asText()));
            }
            pipelines.add(new Pipeline(p.path("id").asText(), p.path("label").asText(), stages));
        }
        cached = pipelines;
        fetchedAt = clock.instant();
    }
}
