package io.sluice.http;

import java.time.Duration;

/**
 * A call to another system failed: the one shape every system's failure has (a CRM's, an e-sign provider's), so that
 * calling out and error handling read it without knowing the system.
 */
public interface RemoteCallFailure {

    /** Whether waiting can help (a timeout, a 5xx, a 429); false when it cannot (a refused record or credential). */
    boolean retryable();

    /** How long the other system asked Sluice to wait; null when it did not say. */
    Duration retryAfter();
}
