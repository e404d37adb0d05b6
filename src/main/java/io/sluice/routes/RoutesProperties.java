package io.sluice.routes;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The operator-owned route files and their reload.
 *
 * @param dir            the Camel YAML routes (every .camel.yaml file below it)
 * @param reload         pick up edits to routes and the active mapping without a restart
 * @param reloadInterval how often the files are checked
 */
@Validated
@ConfigurationProperties("sluice.routes")
public record RoutesProperties(
        @DefaultValue("./routes") @NotNull Path dir,
        @DefaultValue("true") boolean reload,
        @DefaultValue("2s") @NotNull Duration reloadInterval) {
}
