package io.sluice.crm;

import java.time.Duration;

/**
 * A CRM call failed. {@link #retryable()} tells the error handler whether waiting can help; {@link #retryAfter()}
 * is how long the CRM asked to wait, when it said so.
 */
public class CrmException extends RuntimeException implements io.sluice.http.RemoteCallFailure {

    private final boolean retryable;
    private final Duration retryAfter;

    public CrmException(String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public boolean retryable() {
        return retryable;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
