package io.sluice.mapping;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;

/**
 * Where the mapping files are read from.
 *
 * @param dir where the provider.yaml mappings are read from
 */
@Validated
@ConfigurationProperties("sluice.mappings")
public record MappingsProperties(@DefaultValue("./mappings") @NotNull Path dir) {
}
