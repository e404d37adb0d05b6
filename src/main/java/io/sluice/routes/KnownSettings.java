package io.sluice.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code sluice.*} keys the properties records bind, as the build's configuration metadata
 * ({@code META-INF/spring-configuration-metadata.json}) lists them: what a route's {@code {{sluice.*}}} may name.
 */
final class KnownSettings {

    private static volatile Set<String> names;
    private static volatile Set<String> withDefaults;

    private KnownSettings() {
    }

    /** Whether {@code key} is bound, or names an entry of a bound map or list; true for all when no metadata is on the classpath. */
    static boolean known(String key) {
        Set<String> all = names();
        return all.isEmpty() || all.contains(key)
                || all.stream().anyMatch(name -> key.startsWith(name + ".") || key.startsWith(name + "["));
    }

    /** Whether {@code key} has a default of its own, so that it always has a value (an entry of a map or list has none). */
    static boolean hasDefault(String key) {
        names();
        return withDefaults.isEmpty() || withDefaults.contains(key);
    }

    private static Set<String> names() {
        Set<String> current = names;
        if (current == null) {
            current = new TreeSet<>();
            Set<String> defaulted = new TreeSet<>();
            ObjectMapper json = new ObjectMapper();
            try {
                for (URL url : Collections.list(KnownSettings.class.getClassLoader()
                        .getResources("META-INF/spring-configuration-metadata.json"))) {
                    try (InputStream in = url.openStream()) {
                        for (JsonNode property : json.readTree(in).path("properties")) {
                            if (property.path("name").asText().startsWith("sluice.")) {
                                current.add(property.path("name").asText());
                                if (property.has("defaultValue")) {
                                    defaulted.add(property.path("name").asText());
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the configuration metadata", e);
            }
            withDefaults = defaulted;
            names = current;
        }
        return current;
    }
}
