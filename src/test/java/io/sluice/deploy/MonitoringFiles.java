package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The monitoring sources in k8s/monitoring: the Prometheus rule groups, their unit tests and the Grafana dashboard. */
final class MonitoringFiles {

    static final Path DIR = Path.of("k8s", "monitoring");
    static final Path RULES = DIR.resolve("sluice-rules.yaml");
    static final Path RULE_TESTS = DIR.resolve("sluice-rules.test.yaml");
    static final Path PROMETHEUS_RULE = DIR.resolve("prometheusrule.yaml");
    static final Path DASHBOARD = DIR.resolve("sluice-dashboard.json");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private MonitoringFiles() {
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each alerting or recording rule's name and expression, from the rule groups. */
    static Map<String, String> rules() {
        Map<String, String> rules = new LinkedHashMap<>();
        for (JsonNode group : yaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                rules.put(name, rule.path("expr").asText());
            }
        }
        return rules;
    }

    /** Each dashboard query, by panel title and query letter. */
    static Map<String, String> dashboardQueries() {
        try {
            Map<String, String> queries = new LinkedHashMap<>();
            for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.put(panel.path("title").asText() + " " + target.path("refId").asText(), target.path("expr").asText());
                }
            }
            return queries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
