package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The claims this process holds: events it took from the inbox and has not yet given an outcome (done, waiting,
 * dead-lettered, put back). Their leases are renewed while they are held. One held longer than
 * {@code sluice.inbox.claim-timeout} is taken to be lost in this process (its exchange ended without an outcome
 * reaching the database) and is no longer renewed, so the inbox takes it back when its lease runs out.
 */
@Component
public class HeldClaims {

    private final Map<String, Long> heldSinceNanos = new ConcurrentHashMap<>();
    private final long maxHoldNanos;

    public HeldClaims(InboxProperties inbox) {
        this.maxHoldNanos = inbox.claimTimeout().toNanos();
    }

    void held(Collection<String> ids) {
        long now = System.nanoTime();
        ids.forEach(id -> heldSinceNanos.put(id, now));
    }

    void released(String id) {
        heldSinceNanos.remove(id);
    }

    void released(Collection<String> ids) {
        ids.forEach(heldSinceNanos::remove);
    }

    /** The claims to renew now; those held longer than the claim timeout are dropped. */
    List<String> renewable() {
        long now = System.nanoTime();
        heldSinceNanos.values().removeIf(since -> now - since > maxHoldNanos);
        return List.copyOf(heldSinceNanos.keySet());
    }

    public int size() {
        return heldSinceNanos.size();
    }
}
