package io.sluice.ai;

import io.sluice.http.RateLimited;

import java.time.Duration;

/**
 * The model asked Sluice to slow down (a 429 that is not a spent quota), or Sluice's budget for it (or the hold after
 * such a 429) had no permit soon enough: the enrichment waits in the inbox without spending its retries.
 */
public class AiRateLimitedException extends AiCallException implements RateLimited {

    private final boolean reachedProvider;

    public AiRateLimitedException(String message, Duration retryAfter, boolean reachedProvider) {
        super(message, true, retryAfter);
        this.reachedProvider = reachedProvider;
    }

    @Override
    public boolean reachedProvider() {
        return reachedProvider;
    }
}
