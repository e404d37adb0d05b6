package io.sluice.esign;

import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/** E-signatures in the status: the provider, the send rules, and how many contracts are in each status. */
@Component
@Order(60)
class ESignStatus implements StatusContributor {

    private final ESignProperties settings;
    private final ContractStore contracts;

    ESignStatus(ESignProperties settings, ContractStore contracts) {
        this.settings = settings;
        this.contracts = contracts;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        Map<String, Object> esign = new LinkedHashMap<>();
        esign.put("provider", settings.provider());
        esign.put("rules", settings.rules().stream().map(ESignProperties.SendRule::name).toList());
        esign.put("contracts", contracts.countByStatus());
        status.put("esign", esign);
    }
}
