package io.sluice.mapping;

import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mapping in the status: the file in use and why the last edit of it was refused, if it was. */
@Component
@Order(70)
class MappingStatus implements StatusContributor {

    private final ActiveMapping mapping;

    MappingStatus(ActiveMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        Map<String, Object> mappingStatus = new LinkedHashMap<>();
        mappingStatus.put("file", mapping.current().file().toString());
        mappingStatus.put("reloadProblem", mapping.lastProblem());
        status.put("mapping", mappingStatus);
    }
}
