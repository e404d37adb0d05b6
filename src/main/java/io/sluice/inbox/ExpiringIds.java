package io.sluice.inbox;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Event ids this process has taken on, each forgotten once it has been held longer than a limit (the claim
 * timeout): an id whose exchange ended without anyone saying so must not count for ever.
 */
public final class ExpiringIds {

    private final Map<String, Long> sinceNanos = new ConcurrentHashMap<>();
    private final long limitNanos;

    public ExpiringIds(Duration limit) {
        this.limitNanos = limit.toNanos();
    }

    public void add(Collection<String> ids) {
        long now = System.nanoTime();
        ids.forEach(id -> sinceNanos.put(id, now));
    }

    public void remove(String id) {
        sinceNanos.remove(id);
    }

    public void remove(Collection<String> ids) {
        ids.forEach(sinceNanos::remove);
    }

    /** The ids held now, after forgetting those held longer than the limit. */
    public List<String> current() {
        forgetExpired();
        return List.copyOf(sinceNanos.keySet());
    }

    /** How many are held now, after forgetting those held longer than the limit. */
    public int size() {
        forgetExpired();
        return sinceNanos.size();
    }

    private void forgetExpired() {
        long now = System.nanoTime();
        sinceNanos.values().removeIf(since -> now - since > limitNanos);
    }
}
