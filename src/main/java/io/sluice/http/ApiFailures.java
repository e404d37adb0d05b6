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

    /** The provider asked to slow down (429), or the budget has no permit soon enough: waiting heals it. */
    default RuntimeException rateLimited(String message, Duration retryAfter) {
        return retryable(message, retryAfter, null);
    }

    /** Sluice's own budget for the provider (or the hold after its 429) had no permit soon enough: nothing was sent. */
    default RuntimeException notSent(String message, Duration availableIn) {
        return rateLimited(message, availableIn);
    }

    /**
     * A success (2xx) announced as JSON whose body does not parse (cut off on the way): retryable by default, as
     * nothing was changed by an answer nobody could read.
     */
    default RuntimeException unreadableSuccess(String message) {
        return retryable(message, null, null);
    }

    /** The server refused the credential itself (401/403). */
    default RuntimeException credentialRejected(String message) {
        return rejected(message);
    }
}
