package io.sluice.http;

import java.time.Duration;

/**
 * A provider's request budget: at most {@code limit} calls in any window of {@code window}, however the windows are
 * placed. It keeps the times of the last {@code limit} permits; a call may go once the oldest of them is a window
 * old. (A limiter that refills its whole budget once per period lets twice the budget through around a refill,
 * which a provider counting a rolling window, such as HubSpot's ten seconds, answers with 429s.)
 * <p>
 * After a 429 that still arrives, {@link #holdFor} stops every caller of the provider at once until the wait the
 * provider asked for has passed: no call waits for a permit through a hold, it fails at once with the time left,
 * and the event waits in the inbox instead of on a thread. It is one process's budget: replicas on a shared database
 * use {@link SharedRequestBudget}.
 */
public final class RollingWindowLimiter implements RequestBudget {

    private final String name;
    private final int limit;
    private final long windowNanos;
    private final long maxWaitNanos;
    /** When each of the last {@code limit} permits was (or will be) used, oldest at {@link #oldest}. */
    private final long[] permits;
    private int oldest;
    private long heldUntil;

    public RollingWindowLimiter(String name, int limit, Duration window, Duration maxWait) {
        if (limit < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(name + ": a budget needs at least one request per positive window");
        }
        this.name = name;
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.maxWaitNanos = maxWait.toNanos();
        this.permits = new long[limit];
        long now = System.nanoTime();
        java.util.Arrays.fill(permits, now - windowNanos);
        this.heldUntil = now;
    }

    /**
     * Counts a permit's call from when it was answered (no earlier than it reached the provider), unless the permit's
     * slot is in use again: the provider counts a call when it arrives, which network jitter puts a little after the
     * permit, so the permit that reuses this slot must count from the later time.
     */
    @Override
    public synchronized void sent(Permit permit) {
        long answered = System.nanoTime();
        if (permits[permit.slot()] == permit.stamp() && answered - permit.stamp() > 0) {
            permits[permit.slot()] = answered;
        }
    }

    /**
     * Takes a permit, waiting for it up to the wait allowed.
     *
     * @throws PermitUnavailableException when the provider's hold is on, or no permit comes within the wait allowed
     */
    @Override
    public Permit acquire() {
        long now = System.nanoTime();
        int slot;
        long at;
        synchronized (this) {
            if (heldUntil - now > 0) {
                throw new PermitUnavailableException(Duration.ofNanos(heldUntil - now), true);
            }
            at = Math.max(now, permits[oldest] + windowNanos);
            if (at - now > maxWaitNanos) {
                throw new PermitUnavailableException(Duration.ofNanos(at - now), false);
            }
            slot = oldest;
            permits[slot] = at;
            oldest = (oldest + 1) % limit;
        }
        long waitNanos = at - now;
        long stamp = at;
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PermitUnavailableException(Duration.ofNanos(waitNanos), false);
            }
            synchronized (this) {
                long woke = System.nanoTime();
                if (heldUntil - woke > 0) {
                    // a 429 arrived while this call waited for its permit: it waits out the hold in the inbox too
                    throw new PermitUnavailableException(Duration.ofNanos(heldUntil - woke), true);
                }
                // a thread that woke late sends late: the permit that reuses this slot counts from the real time
                if (woke - permits[slot] > 0 && permits[slot] == at) {
                    permits[slot] = woke;
                    stamp = woke;
                }
            }
        }
        return new Permit(slot, stamp);
    }

    /** Holds every call for {@code wait} from now (a later hold than the current one wins). */
    @Override
    public synchronized void holdFor(Duration wait) {
        Duration capped = wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait; // no overflow, whatever asked
        long until = System.nanoTime() + capped.toNanos();
        if (until - heldUntil > 0) {
            heldUntil = until;
        }
    }

    /** Lifts the hold at once. */
    @Override
    public synchronized void release() {
        heldUntil = System.nanoTime();
    }

    /** How long the current hold lasts; zero when there is none. */
    @Override
    public synchronized Duration heldFor() {
        long left = heldUntil - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }
}
