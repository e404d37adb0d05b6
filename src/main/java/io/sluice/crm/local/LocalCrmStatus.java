package io.sluice.crm.local;

import io.sluice.crm.CrmConnector;
import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.Map;

/** With the local CRM, the status counts what it holds: the quick look that replaces opening a CRM. */
@Component
@Order(30)
class LocalCrmStatus implements StatusContributor {

    private final CrmConnector crm;
    private final LocalCrmReader localCrm;

    LocalCrmStatus(CrmConnector crm, LocalCrmReader localCrm) {
        this.crm = crm;
        this.localCrm = localCrm;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        if ("local".equals(crm.provider())) {
            status.put("localCrm", localCrm.counts());
        }
    }
}
