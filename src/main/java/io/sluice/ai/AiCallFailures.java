package io.sluice.ai;

import io.sluice.http.ApiFailures;

import java.time.Duration;

/** A language model's failed calls as {@link AiCallException}s, for the model's {@link io.sluice.http.ApiHttpClient}. */
public final class AiCallFailures implements ApiFailures {

    public static final AiCallFailures INSTANCE = new AiCallFailures();

    private AiCallFailures() {
    }

    @Override
    public RuntimeException retryable(String message, Duration retryAfter, Throwable cause) {
        return new AiCallException(message, true, retryAfter);
    }

    @Override
    public RuntimeException rejected(String message) {
        return new AiCallException(message, false, null);
    }

    @Override
    public RuntimeException rateLimited(String message, Duration retryAfter) {
        return new AiRateLimitedException(message, retryAfter, true);
    }

    /**
     * Not retried: the model was paid for the answer that was cut off, and a proxy that cuts long answers cuts every
     * retry too. The heuristic answers instead.
     */
    @Override
    public RuntimeException unreadableSuccess(String message) {
        return new AiCallException(message, false, null);
    }

    @Override
    public RuntimeException notSent(String message, Duration availableIn) {
        return new AiRateLimitedException(message, availableIn, false);
    }
}
