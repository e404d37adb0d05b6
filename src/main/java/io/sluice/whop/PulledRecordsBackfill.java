package io.sluice.whop;

import io.sluice.store.BackfillSource;
import org.springframework.stereotype.Component;

/** The records a Whop pull stores are a backfill: written in CRM batches, claimed a few batches ahead. */
@Component
public class PulledRecordsBackfill implements BackfillSource {

    @Override
    public String source() {
        return PulledRecordEvents.SOURCE;
    }
}
