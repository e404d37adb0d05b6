package io.sluice.http;

import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request budget of every provider Sluice calls, by {@code <system>-<provider>} ({@code crm-hubspot}): what the
 * inbox asks before it claims work (none while the CRM's hold is on) and what {@code GET /api/status} shows.
 */
@Component
public class ProviderLimits {

    private final Map<String, RollingWindowLimiter> limiters = new ConcurrentHashMap<>();

    /** The limiter of a provider, made on first use; a second call with the same name shares it. */
    RollingWindowLimiter limiter(String system, String provider, int limit, Duration window, Duration maxWait) {
        return limiters.computeIfAbsent(system + "-" + provider, name -> new RollingWindowLimiter(name, limit, window, maxWait));
    }

    /** How long a provider's calls are held after its 429; zero when they are not (or it has no limiter yet). */
    public Duration heldFor(String system, String provider) {
        RollingWindowLimiter limiter = limiters.get(system + "-" + provider);
        return limiter == null ? Duration.ZERO : limiter.heldFor();
    }

    /** Lifts every provider's 429 hold (a provider reconfigured, or a test starting afresh); budgets stay. */
    public void releaseHolds() {
        limiters.values().forEach(RollingWindowLimiter::release);
    }

    public java.util.Collection<RollingWindowLimiter> all() {
        return limiters.values();
    }
}
