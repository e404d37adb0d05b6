package io.sluice.ai;

import java.time.Duration;

/**
 * A call to a language model failed. {@code retryable}: waiting can help (429, 5xx, 529, timeouts), with the wait the
 * provider asked for when it said; otherwise the credential or request was refused.
 */
public class AiCallException extends RuntimeException implements io.sluice.http.RemoteCallFailure {

    private final boolean retryable;
    private final Duration retryAfter;

    public AiCallException(String message, boolean retryable, Duration retryAfter) {
        this(message, retryable, retryAfter, null);
    }

    public AiCallException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
