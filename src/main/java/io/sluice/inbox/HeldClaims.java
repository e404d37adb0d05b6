package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The claims this process holds: events it took from the inbox and has not yet given an outcome (done, waiting,
 * dead-lettered, put back). Their leases are renewed while they are held. One held longer than
 * {@code sluice.inbox.claim-timeout} is taken to be lost in this process (its exchange ended without an outcome
 * reaching the database) and is no longer renewed, so the inbox takes it back when its lease runs out.
 */
@Component
public class HeldClaims {

    private final ExpiringIds held;
    private final int maxHeld;
    private final InboxWake wake;
    /** A claim found no room: the releases that bring the count down to half wake the claimer. */
    private final AtomicBoolean wanted = new AtomicBoolean();

    public HeldClaims(InboxProperties inbox, InboxWake wake) {
        this.held = new ExpiringIds(inbox.claimTimeout());
        this.maxHeld = inbox.maxHeld();
        this.wake = wake;
    }

    /** How many more this process may claim now (0: the claimer is woken once half of the most it holds is free). */
    public int room() {
        int room = maxHeld - held.size();
        if (room <= 0) {
            // a release between the count and this flag wakes nobody: the poll interval is the backstop
            wanted.set(true);
        }
        return Math.max(0, room);
    }

    void held(Collection<String> ids) {
        held.add(ids);
    }

    void released(String id) {
        held.remove(id);
        wakeWhenRoom();
    }

    void released(Collection<String> ids) {
        held.remove(ids);
        wakeWhenRoom();
    }

    private void wakeWhenRoom() {
        if (wanted.get() && held.count() <= maxHeld / 2 && wanted.compareAndSet(true, false)) {
            wake.wake();
        }
    }

    /** The claims to renew now; those held longer than the claim timeout are dropped. */
    List<String> renewable() {
        return held.current();
    }

    public int size() {
        return held.size();
    }
}
