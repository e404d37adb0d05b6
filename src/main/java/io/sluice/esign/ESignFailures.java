package io.sluice.esign;

import io.sluice.http.ApiFailures;

import java.time.Duration;

/** Failed e-sign calls as {@link ESignException}s: what the event error handler retries or dead-letters. */
public final class ESignFailures implements ApiFailures {

    public static final ESignFailures INSTANCE = new ESignFailures();

    private ESignFailures() {
    }

    @Override
    public RuntimeException retryable(String message, Duration retryAfter, Throwable cause) {
        return new ESignException(message, true, retryAfter, cause);
    }

    @Override
    public RuntimeException rejected(String message) {
        return new ESignRejectedException(message);
    }

    @Override
    public RuntimeException rateLimited(String message, Duration retryAfter) {
        return new ESignRateLimitedException(message, retryAfter, true);
    }

    @Override
    public RuntimeException notSent(String message, Duration availableIn) {
        return new ESignRateLimitedException(message, availableIn, false);
    }
}
