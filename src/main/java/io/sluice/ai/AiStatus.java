package io.sluice.ai;

import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.Map;

/** AI in the status: the provider and model, the day's token budget and what is left of it. */
@Component
@Order(50)
class AiStatus implements StatusContributor {

    private final AiService ai;

    AiStatus(AiService ai) {
        this.ai = ai;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        status.put("ai", ai.status());
    }
}
