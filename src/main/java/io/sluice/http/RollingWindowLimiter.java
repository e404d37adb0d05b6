package io.sluice.http;

import java.time.Duration;

/**
 * A provider's request budget: at most {@code limit} calls in any window of {@code window}, however the windows are
 * placed. It keeps the times of the last {@code limit} calls; a call may go once the oldest answered one is a window
 * old (a slot whose call is still out is not reused: the provider may count that call later than its permit). (A limiter that refills its whole budget once per period lets twice the budget through around a refill,
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
    /** When each of the last {@code limit} calls was answered (or, while it is out, when its permit was for). */
    private final long[] permits;
    /** Whether a slot's call is still out: the provider may count it later than its permit, so it is not reused yet. */
    private final boolean[] inFlight;
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
        this.inFlight = new boolean[limit];
        long now = System.nanoTime();
        java.util.Arrays.fill(permits, now - windowNanos);
        this.heldUntil = now;
    }

    /**
     * Counts a permit's call from when it was answered (no earlier than it reached the provider) and frees its slot:
     * the provider counts a call when it arrives, which network jitter puts a little after the permit, so the permit
     * that reuses this slot must count from the later time.
     */
    @Override
    public synchronized void sent(Permit permit) {
        if (permits[permit.slot()] != permit.stamp()) {
            return;
        }
        long answered = System.nanoTime();
        if (answered - permit.stamp() > 0) {
            permits[permit.slot()] = answered;
        }
        inFlight[permit.slot()] = false;
        notifyAll();
    }

    /**
     * Takes a permit, waiting for it up to the wait allowed.
     *
     * @throws PermitUnavailableException when the provider's hold is on, or no permit comes within the wait allowed
     */
    @Override
    public Permit acquire() {
        long deadline = System.nanoTime() + maxWaitNanos;
        long now;
        int slot;
        long at;
        synchronized (this) {
            while (true) {
                now = System.nanoTime();
                if (heldUntil - now > 0) {
                    throw new PermitUnavailableException(Duration.ofNanos(heldUntil - now), true);
                }
                slot = oldestAnswered();
                if (slot >= 0) {
                    break;
                }
                // every slot's call is out: one is free once it is answered
                long left = deadline - now;
                if (left <= 0) {
                    throw new PermitUnavailableException(Duration.ofNanos(windowNanos / limit), false);
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PermitUnavailableException(Duration.ofNanos(left), false);
                }
            }
            at = Math.max(now, permits[slot] + windowNanos);
            if (at - now > maxWaitNanos) {
                throw new PermitUnavailableException(Duration.ofNanos(at - now), false);
            }
            permits[slot] = at;
            inFlight[slot] = true;
        }
        long waitNanos = at - now;
        long stamp = at;
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sent(new Permit(slot, at));
                throw new PermitUnavailableException(Duration.ofNanos(waitNanos), false);
            }
            synchronized (this) {
                long woke = System.nanoTime();
                if (heldUntil - woke > 0) {
                    // a 429 arrived while this call waited for its permit: it waits out the hold in the inbox too
                    sent(new Permit(slot, at));
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

    /** The slot whose call was answered longest ago; -1 when every slot's call is still out. */
    private int oldestAnswered() {
        int oldest = -1;
        for (int i = 0; i < limit; i++) {
            if (!inFlight[i] && (oldest < 0 || permits[i] - permits[oldest] < 0)) {
                oldest = i;
            }
        }
        return oldest;
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
