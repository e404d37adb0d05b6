package io.sluice.http;

import java.time.Duration;

/**
 * How one system's failed calls become exceptions that its error handling understands: retryable (waiting can help,
 * possibly after the wait the server asked for) or rejected (it cannot: fix the credential or the data).
 */
public interface ApiFailures {

    /** @param cause the transport failure (timeout, refused connection), or null when the server answered */
    RuntimeException retryable(String message, Duration retryAfter, Throwable cause);

    RuntimeException rejected(String message);

    /** The server refused the credential itself (401/403). */
    default RuntimeException credentialRejected(String message) {
        return rejected(message);
    }
}
