package io.sluice.http;

import java.time.Duration;

/**
 * A provider asked Sluice to slow down (a 429), or Sluice's own budget for it had no permit soon enough. Whichever
 * system it comes from (a CRM, an e-sign provider), the event waits in the inbox for {@link #retryAfter()} without
 * spending its quick retries or moving along its retry schedule.
 */
public interface RateLimited {

    /** How long to wait; null when nobody said. */
    Duration retryAfter();

    /** False when no call was sent (the budget or a hold had no permit). */
    boolean reachedProvider();
}
