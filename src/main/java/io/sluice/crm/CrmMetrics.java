package io.sluice.crm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The CRM meters the connectors share, beside the request meters of {@code io.sluice.http}. */
public final class CrmMetrics {

    private CrmMetrics() {
    }

    /**
     * {@code crm_records_refound_total{provider}}: records the CRM no longer had under the id Sluice remembered
     * (deleted or merged there), found or created again by their natural key.
     */
    public static Counter refound(MeterRegistry registry, String provider) {
        return Counter.builder("crm.records.refound").description("Records found or created again after the CRM lost the remembered id")
                .tag("provider", provider).register(registry);
    }
}
