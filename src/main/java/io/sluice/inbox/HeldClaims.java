package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;

/**
 * The claims this process holds: events it took from the inbox and has not yet given an outcome (done, waiting,
 * dead-lettered, put back). Their leases are renewed while they are held. One held longer than
 * {@code sluice.inbox.claim-timeout} is taken to be lost in this process (its exchange ended without an outcome
 * reaching the database) and is no longer renewed, so the inbox takes it back when its lease runs out.
 */
@Component
public class HeldClaims {

    private final ExpiringIds held;
    private final List<Runnable> releaseListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public HeldClaims(InboxProperties inbox) {
        this.held = new ExpiringIds(inbox.claimTimeout());
    }

    void held(Collection<String> ids) {
        held.add(ids);
    }

    void released(String id) {
        held.remove(id);
        releaseListeners.forEach(Runnable::run);
    }

    void released(Collection<String> ids) {
        held.remove(ids);
        releaseListeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} after claims end (once their outcome is committed); it must be cheap and never throw. */
    public void whenReleased(Runnable listener) {
        releaseListeners.add(listener);
    }

    /** The claims to renew now; those held longer than the claim timeout are dropped. */
    List<String> renewable() {
        return held.current();
    }

    public int size() {
        return held.size();
    }
}
