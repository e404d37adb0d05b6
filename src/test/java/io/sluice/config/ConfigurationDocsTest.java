package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md and application.yaml against the configuration metadata the records generate
 * (META-INF/spring-configuration-metadata.json): every {@code sluice.*} key documented, nothing documented that is
 * not bound, the same defaults, and environment names that really reach the key.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    /** A cell that is values (`80`, `60s`), perhaps with a remark in brackets; any other text describes the value in words. */
    private static final Pattern VALUES = Pattern.compile("`[^`]*`(\\s*,\\s*`[^`]*`)*(\\s*\\(.*\\))?");
    private static final Pattern INDIRECTION = Pattern.compile("\\$\\{([A-Z0-9_]+):(.*)}");

    /** Every bound {@code sluice.*} key with its metadata (type, defaultValue). */
    private static final Map<String, JsonNode> METADATA = new TreeMap<>();
    /** The documented rows: key, its environment name (or null) and its default cell (the value, or null when described in words). */
    private static final List<DocRow> ROWS = new ArrayList<>();
    /** Rows whose keys and values do not pair up. */
    private static final List<String> MALFORMED = new ArrayList<>();
    /** The {@code sluice.*} values application.yaml sets, flattened. */
    private static final Map<String, String> YAML = new TreeMap<>();

    private record DocRow(int line, String key, String env, String defaultValue) {
    }

    @BeforeAll
    static void read() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (URL url : Collections.list(ConfigurationDocsTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    if (property.path("name").asText().startsWith("sluice.")) {
                        METADATA.put(property.path("name").asText(), property);
                    }
                }
            }
        }
        List<String> lines = Files.readAllLines(DOC);
        for (int i = 0; i < lines.size(); i++) {
            List<String> cells = cells(lines.get(i));
            if (cells.size() < 4) {
                continue;
            }
            List<String> keys = code(cells.get(0));
            if (keys.isEmpty() || !keys.get(0).startsWith("sluice.")) {
                continue;
            }
            List<String> envs = code(cells.get(1));
            List<String> defaults = VALUES.matcher(cells.get(2)).matches() ? code(cells.get(2)) : List.of();
            if (!envs.isEmpty() && envs.size() != keys.size() || !defaults.isEmpty() && defaults.size() != keys.size()) {
                MALFORMED.add(DOC + ":" + (i + 1) + ": " + keys.size() + " keys, " + envs.size() + " environment names and "
                        + defaults.size() + " defaults: give one of each per key, in the same order (or none)");
                continue;
            }
            for (int k = 0; k < keys.size(); k++) {
                ROWS.add(new DocRow(i + 1, keys.get(k), envs.isEmpty() ? null : envs.get(k), defaults.isEmpty() ? null : defaults.get(k)));
            }
        }
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yaml"))) {
            Map<String, Object> root = new Yaml().load(in);
            flatten("sluice", root.get("sluice"), YAML);
        }
    }

    @Test
    void theMetadataIsGeneratedFromTheRecords() {
        assertThat(METADATA).containsKeys("sluice.data-dir", "sluice.inbox.consumers", "sluice.processing.max-redeliveries",
                "sluice.esign.provider", "sluice.crm.hubspot.per");
    }

    @Test
    void everyRowPairsItsKeysWithTheirValues() {
        assertThat(MALFORMED).isEmpty();
    }

    @Test
    void everyBoundKeyIsDocumented() {
        List<String> documented = ROWS.stream().map(row -> bound(row.key())).toList();
        assertThat(METADATA.keySet().stream().filter(key -> !documented.contains(key)).toList())
                .as("keys the records bind that docs/configuration.md does not list").isEmpty();
    }

    @Test
    void everyDocumentedKeyIsBound() {
        assertThat(ROWS.stream().filter(row -> !METADATA.containsKey(bound(row.key()))).map(ConfigurationDocsTest::where).toList())
                .as("keys docs/configuration.md lists that no record binds (write each key in full)").isEmpty();
    }

    @Test
    void theDocumentedDefaultsAreTheRecordsDefaults() {
        List<String> wrong = new ArrayList<>();
        for (DocRow row : ROWS) {
            JsonNode property = METADATA.get(bound(row.key()));
            if (property == null) {
                continue; // reported by everyDocumentedKeyIsBound
            }
            String expected = metadataDefault(property);
            if (expected == null ? row.defaultValue() != null : !sameValue(property, row.defaultValue(), expected)) {
                wrong.add(where(row) + ": the doc says " + (row.defaultValue() == null ? "no value" : "`" + row.defaultValue() + "`")
                        + ", the record's default is " + (expected == null ? "none (describe it in words)" : "`" + expected + "`"));
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theDocumentedEnvironmentNamesReachTheirKey() {
        List<String> wrong = new ArrayList<>();
        for (DocRow row : ROWS) {
            if (row.env() == null) {
                continue;
            }
            Matcher indirection = INDIRECTION.matcher(YAML.getOrDefault(row.key(), ""));
            boolean mapped = indirection.matches() && indirection.group(1).equals(row.env());
            // what Spring's relaxed binding reads for the key from an environment variable of that name
            var environment = ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(row.env(), "x")));
            boolean relaxed = environment.iterator().next().getConfigurationProperty(ConfigurationPropertyName.of(bound(row.key()))) != null;
            if (!mapped && !relaxed) {
                wrong.add(where(row) + ": " + row.env() + " is neither the relaxed name nor mapped to it in application.yaml");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void applicationYamlRepeatsOnlyTheRecordsDefaults() {
        List<String> wrong = new ArrayList<>();
        YAML.forEach((key, value) -> {
            JsonNode property = METADATA.get(key);
            if (property == null) {
                wrong.add(key + ": application.yaml sets a key no record binds");
                return;
            }
            Matcher indirection = INDIRECTION.matcher(value);
            String given = indirection.matches() ? indirection.group(2) : value;
            String expected = metadataDefault(property);
            boolean same = expected == null ? given.isEmpty() : sameValue(property, given, expected);
            if (!same) {
                wrong.add(key + ": application.yaml gives '" + given + "', the record's default is "
                        + (expected == null ? "none" : "'" + expected + "'"));
            }
        });
        assertThat(wrong).isEmpty();
    }

    /** The bound key a documented one names: a map's {@code sluice.esign.stages.<step>}, a list's {@code rules[n].*}. */
    private static String bound(String documented) {
        return documented.replaceAll("(\\.<[^>]+>|\\[[^]]*].*)$", "");
    }

    private static String where(DocRow row) {
        return DOC + ":" + row.line() + " " + row.key();
    }

    private static String metadataDefault(JsonNode property) {
        JsonNode value = property.get("defaultValue");
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isArray()) {
            List<String> elements = new ArrayList<>();
            value.forEach(element -> elements.add(element.asText()));
            return String.join(", ", elements);
        }
        String text = value.asText();
        // the processor writes a list's @DefaultValue as its toString
        return property.path("type").asText().startsWith("java.util.List<") && text.startsWith("[") && text.endsWith("]")
                ? text.substring(1, text.length() - 1) : text;
    }

    /** Equal as the property's type reads them: {@code 1m}, {@code 60s} and {@code PT1M} are one Duration. */
    private static boolean sameValue(JsonNode property, String documented, String expected) {
        if (documented == null) {
            return false;
        }
        String type = property.path("type").asText();
        if (type.startsWith("java.util.List<")) {
            String element = type.substring("java.util.List<".length(), type.length() - 1);
            List<String> a = split(documented);
            List<String> b = split(expected);
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!Objects.equals(normalised(element, a.get(i)), normalised(element, b.get(i)))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(normalised(type, documented), normalised(type, expected));
    }

    private static Object normalised(String type, String value) {
        String v = value.trim();
        try {
            return switch (type) {
                case "java.time.Duration" -> DurationStyle.detectAndParse(v);
                case "org.springframework.util.unit.DataSize" -> DataSize.parse(v);
                case "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "int", "long", "float", "double" ->
                        new BigDecimal(v).stripTrailingZeros();
                case "java.lang.Boolean", "boolean" -> Boolean.parseBoolean(v) ? "true" : v.equalsIgnoreCase("false") ? "false" : v;
                case "java.nio.file.Path" -> Path.of(v).normalize();
                default -> v;
            };
        } catch (RuntimeException e) {
            return "unreadable as " + type + ": " + v;
        }
    }

    private static List<String> split(String list) {
        return list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::trim).toList();
    }

    private static List<String> code(String cell) {
        List<String> spans = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    /** A table row's cells; a {@code |} inside backticks belongs to its cell. */
    private static List<String> cells(String line) {
        String trimmed = line.trim();
        if (!trimmed.startsWith("|") || !trimmed.endsWith("|")) {
            return List.of();
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean inCode = false;
        for (char c : trimmed.substring(1, trimmed.length() - 1).toCharArray()) {
            if (c == '`') {
                inCode = !inCode;
            }
            if (c == '|' && !inCode) {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        return cells;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            new LinkedHashMap<>((Map<String, Object>) map).forEach((k, v) -> flatten(prefix + "." + k, v, into));
        } else if (value instanceof List<?> list) {
            into.put(prefix, String.join(", ", list.stream().map(String::valueOf).toList()));
        } else {
            into.put(prefix, value == null ? "" : String.valueOf(value));
        }
    }
}
