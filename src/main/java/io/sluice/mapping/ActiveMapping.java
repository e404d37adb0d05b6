package io.sluice.mapping;

import io.sluice.config.CrmProperties;
import io.sluice.event.EventTypeCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The mapping in force: {@code mappings/<CRM_PROVIDER>.yaml}. At start-up an invalid file stops Sluice; on a
 * later change an invalid file is reported and the previous mapping keeps running.
 */
@Component
public class ActiveMapping implements EventTypeCatalog {

    private static final Logger log = LoggerFactory.getLogger(ActiveMapping.class);

    private final Path file;
    private final CrmFieldSchema schema;
    private volatile Mapping current;
    private volatile FileTime loadedVersion;
    private volatile String lastProblem;

    public ActiveMapping(CrmProperties crm, MappingsProperties mappings, MappingTarget connector) {
        if (!connector.provider().equals(crm.provider())) {
            throw new IllegalStateException("sluice.crm.provider (CRM_PROVIDER) = '" + crm.provider()
                    + "' is not available in this version; available: " + connector.provider());
        }
        this.file = mappings.dir().resolve(connector.provider() + ".yaml");
        this.schema = connector.fieldSchema();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Mapping file " + file.toAbsolutePath() + " for CRM_PROVIDER="
                    + connector.provider() + " does not exist; set sluice.mappings.dir (SLUICE_MAPPINGS_DIR) to the folder holding it");
        }
        this.loadedVersion = modified();
        this.current = MappingLoader.load(file, schema);
        log.info("Loaded mapping {} ({} event groups)", file, current.groups().size());
    }

    public Mapping current() {
        return current;
    }

    /** The reason the last reload was refused, or null when the file on disk is the one in force. */
    public String lastProblem() {
        return lastProblem;
    }

    @Override
    public boolean handles(String eventType) {
        return current.groupFor(eventType).isPresent();
    }

    /** Reloads the file if it changed on disk; keeps the previous mapping if the new one is invalid. */
    public synchronized boolean reloadIfChanged() {
        FileTime version = modified();
        if (version == null || version.equals(loadedVersion)) {
            return false;
        }
        loadedVersion = version;
        try {
            current = MappingLoader.load(file, schema);
            lastProblem = null;
            log.info("Reloaded mapping {}", file);
            return true;
        } catch (MappingValidationException e) {
            lastProblem = e.getMessage();
            log.error("Mapping {} changed but is invalid; the previous mapping keeps running. {}", file, e.getMessage());
            return false;
        }
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
