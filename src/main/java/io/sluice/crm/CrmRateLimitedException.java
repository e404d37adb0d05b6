package io.sluice.crm;

import java.time.Duration;

/**
 * The CRM asked Sluice to slow down (a 429 of its short window), or Sluice's own budget for it had no permit soon
 * enough (then no call was sent: {@link #reachedCrm()} is false). Waiting heals it: the event waits in the inbox for
 * {@link #retryAfter()}, and the circuit breaker does not count it as a failure (the CRM is up, only asked too fast).
 */
public class CrmRateLimitedException extends CrmException implements io.sluice.http.RateLimited {

    private final boolean reachedCrm;

    public CrmRateLimitedException(String message, Duration retryAfter) {
        this(message, retryAfter, true);
    }

    public CrmRateLimitedException(String message, Duration retryAfter, boolean reachedCrm) {
        super(message, true, retryAfter);
        this.reachedCrm = reachedCrm;
    }

    public boolean reachedCrm() {
        return reachedCrm;
    }

    @Override
    public boolean reachedProvider() {
        return reachedCrm;
    }
}
