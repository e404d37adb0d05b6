package io.sluice.processing;

import io.sluice.config.InboxProperties;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pulled records this process has claimed for the batch path and not yet finished with (written, or handed to
 * the single path). The claimer stops claiming pulled records while there are several batches of them, so that a
 * long backfill waits in the inbox (where no claim outlives {@code sluice.inbox.claim-timeout} and every replica can
 * take its share) rather than in this process's memory. A record lost from memory without finishing (a route
 * stopped mid-batch) stops counting after the claim timeout, when the inbox takes its claim back anyway.
 */
@Component
public class PulledInFlight {

    private final Map<String, Long> claimedAtNanos = new ConcurrentHashMap<>();
    private final long expiryNanos;

    public PulledInFlight(InboxProperties inbox) {
        this.expiryNanos = inbox.claimTimeout().toNanos();
    }

    void claimed(Collection<String> ids) {
        long now = System.nanoTime();
        ids.forEach(id -> claimedAtNanos.put(id, now));
    }

    void finished(String id) {
        claimedAtNanos.remove(id);
    }

    /** How many are in flight now. */
    int size() {
        long now = System.nanoTime();
        claimedAtNanos.values().removeIf(at -> now - at > expiryNanos);
        return claimedAtNanos.size();
    }
}
