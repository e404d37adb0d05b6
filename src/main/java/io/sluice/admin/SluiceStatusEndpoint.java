package io.sluice.admin;

import io.sluice.status.StatusContributor;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator checks first, put together from each module's {@link StatusContributor}: {@code GET /api/status},
 * and the actuator endpoint {@code /actuator/sluice} (admin credentials, like every actuator endpoint but health,
 * info and prometheus).
 */
@Component
@Endpoint(id = "sluice")
class SluiceStatusEndpoint {

    private final List<StatusContributor> contributors;

    /** @param contributors in their {@code @Order}, as Spring hands a list of beans over */
    SluiceStatusEndpoint(List<StatusContributor> contributors) {
        this.contributors = contributors;
    }

    @ReadOperation
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        contributors.forEach(contributor -> contributor.contribute(status));
        return status;
    }
}
