package io.sluice.esign;

import io.sluice.http.RateLimited;

import java.time.Duration;

/** The e-sign provider answered 429, or Sluice's budget for it had no permit soon enough: the event waits for it. */
public class ESignRateLimitedException extends ESignException implements RateLimited {

    private final boolean reachedProvider;

    public ESignRateLimitedException(String message, Duration retryAfter, boolean reachedProvider) {
        super(message, true, retryAfter);
        this.reachedProvider = reachedProvider;
    }

    @Override
    public boolean reachedProvider() {
        return reachedProvider;
    }
}
