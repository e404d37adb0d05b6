package io.sluice.processing;

import io.sluice.config.InboxProperties;
import io.sluice.inbox.ExpiringIds;
import org.springframework.stereotype.Component;

import java.util.Collection;

/**
 * The pulled records this process has claimed for the batch path and not yet finished with (written, or handed to
 * the single path). The claimer stops claiming pulled records while there are several batches of them, so that a
 * long backfill waits in the inbox (where no claim outlives {@code sluice.inbox.claim-timeout} and every replica can
 * take its share) rather than in this process's memory. A record lost from memory without finishing (a route
 * stopped mid-batch) stops counting after the claim timeout, when the inbox takes its claim back anyway.
 */
@Component
public class PulledInFlight {

    private final ExpiringIds claimed;

    public PulledInFlight(InboxProperties inbox) {
        this.claimed = new ExpiringIds(inbox.claimTimeout());
    }

    void claimed(Collection<String> ids) {
        claimed.add(ids);
    }

    void finished(String id) {
        claimed.remove(id);
    }

    /** How many are in flight now. */
    int size() {
        return claimed.size();
    }
}
