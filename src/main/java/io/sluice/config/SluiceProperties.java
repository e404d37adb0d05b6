package io.sluice.config;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;

/**
 * The settings of the process as a whole; each module's own {@code sluice.<module>.*} settings are its own record
 * (docs/configuration.md lists them all).
 *
 * @param dataDir       where the embedded H2 database and the generated secrets live
 * @param transport     how accepted events reach processing: jdbc (ingress stores them in the inbox table) or kafka
 *                      (ingress produces them to Kafka; consumers store them in the inbox, {@code sluice.kafka.*})
 * @param encryptionKey base64 of 32 bytes, the AES-256-GCM key of stored OAuth tokens; generated into the data directory when unset on the embedded H2, required on a shared database
 */
@Validated
@ConfigurationProperties("sluice")
public record SluiceProperties(
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("jdbc") @NotNull Transport transport,
        String encryptionKey) {

    /** How accepted events travel from ingress to processing. */
    public enum Transport { jdbc, kafka }
}
