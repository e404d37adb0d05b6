package io.sluice.esign;

import java.time.Duration;

/**
 * A call to the e-sign provider failed. {@link #retryable()}: waiting can help, after {@link #retryAfter()} when the
 * provider said how long; otherwise see {@link ESignRejectedException}.
 */
public class ESignException extends RuntimeException implements io.sluice.http.RemoteCallFailure {

    private final boolean retryable;
    private final Duration retryAfter;

    public ESignException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public ESignException(String message, boolean retryable, Duration retryAfter) {
        this(message, retryable, retryAfter, null);
    }

    public boolean retryable() {
        return retryable;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** The call may have reached the provider before it failed (the answer timed out or the connection broke). */
    public boolean mayHaveReachedProvider() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof org.apache.hc.client5.http.ConnectTimeoutException
                    || t instanceof org.apache.hc.client5.http.HttpHostConnectException) {
                return false;
            }
        }
        return getCause() != null;
    }
}
