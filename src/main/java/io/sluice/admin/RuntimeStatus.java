package io.sluice.admin;

import io.sluice.config.DatabaseProduct;
import io.sluice.config.SluiceProperties;
import io.sluice.crm.CrmConnector;
import io.sluice.status.StatusContributor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.Map;

/** The status's head: which Sluice runs, on what database and transport, writing to which CRM. */
@Component
@Order(0)
class RuntimeStatus implements StatusContributor {

    private final SluiceProperties properties;
    private final CrmConnector crm;
    private final String version;
    private final String database;

    RuntimeStatus(SluiceProperties properties, CrmConnector crm, ObjectProvider<BuildProperties> build, DatabaseProduct database) {
        this.properties = properties;
        this.crm = crm;
        BuildProperties info = build.getIfAvailable();
        this.version = info == null ? "dev" : info.getVersion();
        this.database = database.name();
    }

    @Override
    public void contribute(Map<String, Object> status) {
        status.put("version", version);
        status.put("mode", "h2".equalsIgnoreCase(database) ? "embedded" : "cluster");
        status.put("database", database);
        status.put("transport", properties.transport());
        status.put("provider", crm.provider());
    }
}
