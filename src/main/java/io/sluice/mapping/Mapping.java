package io.sluice.mapping;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A validated {@code mappings/<provider>.yaml}. */
public record Mapping(String provider, String description, Map<String, Map<String, String>> valueMaps,
                      List<EventGroup> groups, Path file) {

    public Optional<EventGroup> groupFor(String eventType) {
        return groups.stream().filter(g -> g.types().contains(eventType)).findFirst();
    }
}
