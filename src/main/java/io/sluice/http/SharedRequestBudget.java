package io.sluice.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A provider's request budget kept in the shared PostgreSQL database, so that every replica on it spends the same
 * budget: a rolling window (the times of the last {@code limit} calls, one row each in {@code provider_budget_permit}:
 * a call may go once the oldest is a window old) and the 429 hold ({@code provider_budget.held_until}) of
 * {@link RollingWindowLimiter}. A slot counts from when its call was answered, and one whose call is still out is not
 * reused: the provider counts a call when it arrives, which may be well after its permit. Taking a permit locks the provider's {@code provider_budget} row for one short
 * transaction, so two replicas never take the same slot; no connection is held while a caller waits for its permit
 * or while the provider answers. Every time is the database's clock, so the replicas' clocks need not agree.
 * <p>
 * The cost: a permit is one transaction of three statements, and its answer one update (docs/operations.md,
 * "Replicas"). When the database cannot be reached, no call is sent: the event waits in the inbox as for a budget
 * that is spent.
 */
public final class SharedRequestBudget implements RequestBudget {

    private static final Logger log = LoggerFactory.getLogger(SharedRequestBudget.class);
    /** How long work waits when the budget cannot be read: the database is unreachable, and the inbox with it. */
    private static final Duration UNREADABLE_WAIT = Duration.ofSeconds(5);
    /**
     * A call out longer than this will never be answered (its process died): longer than any call's timeouts (connect,
     * pool and response: under a minute), so its slot is then reused as if it had been answered when its permit was taken.
     */
    private static final Duration LOST_CALL_AFTER = Duration.ofMinutes(2);
    private static final String NOW_MICROS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint";
    /** A time given as microseconds since the epoch, exactly as stored (so a permit's row is found by its time). */
    private static final String AT_MICROS = "TIMESTAMPTZ 'epoch' + ? * INTERVAL '1 microsecond'";

    private final String name;
    private final int limit;
    private final long windowMicros;
    private final long maxWaitMicros;
    private final long inFlightPollMicros;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    SharedRequestBudget(String name, int limit, Duration window, Duration maxWait, JdbcTemplate jdbc, TransactionTemplate transaction) {
        if (limit < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(name + ": a budget needs at least one request per positive window");
        }
        this.name = name;
        this.limit = limit;
        this.windowMicros = window.toNanos() / 1000;
        this.maxWaitMicros = maxWait.toNanos() / 1000;
        // while every slot's call is out, look again about as often as the budget lets a call go, within 10–200 ms
        this.inFlightPollMicros = Math.max(10_000, Math.min(200_000, windowMicros / limit));
        this.jdbc = jdbc;
        this.transaction = transaction;
        prepareSlots();
    }

    /**
     * Makes the provider's row and exactly {@code limit} slots (a replica started with another limit sets its own: the
     * last to start wins, until the others restart with the same settings).
     */
    private void prepareSlots() {
        transaction.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO provider_budget (name, held_until) VALUES (?, clock_timestamp()) ON CONFLICT (name) DO NOTHING", name);
            jdbc.queryForObject("SELECT name FROM provider_budget WHERE name = ? FOR UPDATE", String.class, name);
            jdbc.update("DELETE FROM provider_budget_permit WHERE name = ? AND slot >= ?", name, limit);
            jdbc.update("INSERT INTO provider_budget_permit (name, slot, used_at) SELECT ?, s, TIMESTAMPTZ 'epoch' "
                    + "FROM generate_series(0, ?) s ON CONFLICT (name, slot) DO NOTHING", name, limit - 1);
        });
    }

    @Override
    public Permit acquire() {
        long deadline = System.nanoTime() + maxWaitMicros * 1000;
        while (true) {
            long[] taken = take(); // slot, its time, the database's time when it was taken; null: every slot's call is out
            if (taken == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new PermitUnavailableException(window().dividedBy(limit), false);
                }
                pause(inFlightPollMicros);
                continue;
            }
            int slot = (int) taken[0];
            long at = taken[1];
            long waitMicros = at - taken[2];
            if (waitMicros <= 0) {
                return new Permit(slot, at);
            }
            pause(waitMicros);
            return afterWaiting(slot, at);
        }
    }

    /**
     * Reserves the slot whose last call was answered longest ago (a slot whose call is still out cannot be reused: the
     * provider may count that call later than its permit), for when that is a window old.
     */
    private long[] take() {
        try {
            return transaction.execute(status -> {
                Long heldMicros = jdbc.queryForObject("SELECT (EXTRACT(EPOCH FROM held_until - clock_timestamp()) * 1000000)::bigint "
                        + "FROM provider_budget WHERE name = ? FOR UPDATE", Long.class, name);
                if (heldMicros != null && heldMicros > 0) {
                    throw new PermitUnavailableException(micros(heldMicros), true);
                }
                List<Map<String, Object>> oldest = jdbc.queryForList("SELECT slot, (EXTRACT(EPOCH FROM used_at) * 1000000)::bigint AS used, "
                        + NOW_MICROS + " AS now FROM provider_budget_permit WHERE name = ? "
                        + "AND (NOT in_flight OR used_at < clock_timestamp() - ? * INTERVAL '1 millisecond') "
                        + "ORDER BY used_at, slot LIMIT 1", name, LOST_CALL_AFTER.toMillis());
                if (oldest.isEmpty()) {
                    return null;
                }
                int slot = ((Number) oldest.get(0).get("slot")).intValue();
                long now = ((Number) oldest.get(0).get("now")).longValue();
                long at = Math.max(now, ((Number) oldest.get(0).get("used")).longValue() + windowMicros);
                if (at - now > maxWaitMicros) {
                    throw new PermitUnavailableException(micros(at - now), false);
                }
                jdbc.update("UPDATE provider_budget_permit SET used_at = " + AT_MICROS + ", in_flight = TRUE WHERE name = ? AND slot = ?",
                        at, name, slot);
                return new long[]{slot, at, now};
            });
        } catch (DataAccessException | TransactionException e) {
            throw unreadable(e);
        }
    }

    /** The permit's time came: unless a 429 arrived meanwhile, it counts from now (a thread that woke late sends late). */
    private Permit afterWaiting(int slot, long at) {
        try {
            Duration held = heldForOrFail();
            if (!held.isZero()) {
                // a 429 arrived while this call waited for its permit: it waits out the hold in the inbox too
                sent(new Permit(slot, at));
                throw new PermitUnavailableException(held, true);
            }
            List<Long> woke = jdbc.queryForList("UPDATE provider_budget_permit SET used_at = clock_timestamp() WHERE name = ? "
                    + "AND slot = ? AND used_at = " + AT_MICROS + " RETURNING (EXTRACT(EPOCH FROM used_at) * 1000000)::bigint",
                    Long.class, name, slot, at);
            return new Permit(slot, woke.isEmpty() ? at : woke.get(0));
        } catch (DataAccessException e) {
            throw unreadable(e);
        }
    }

    private static void pause(long micros) {
        try {
            Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PermitUnavailableException(micros(micros), false);
        }
    }

    /** The call was answered: its slot counts from now, and may be reserved again. */
    @Override
    public void sent(Permit permit) {
        try {
            // its own transaction: a call made inside another (the OAuth refresh) frees its slot even if that one rolls back
            transaction.executeWithoutResult(status -> jdbc.update("UPDATE provider_budget_permit SET used_at = clock_timestamp(), "
                    + "in_flight = FALSE WHERE name = ? AND slot = ? AND used_at = " + AT_MICROS, name, permit.slot(), permit.stamp()));
        } catch (DataAccessException | TransactionException e) {
            // the slot is reused once its call counts as lost (LOST_CALL_AFTER), from when its permit was taken
            log.debug("Could not record the answer time of a {} call: {}", name, e.getMessage());
        }
    }

    @Override
    public void holdFor(Duration wait) {
        Duration capped = wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait;
        try {
            transaction.executeWithoutResult(status -> jdbc.update("UPDATE provider_budget SET held_until = "
                    + "GREATEST(held_until, clock_timestamp() + ? * INTERVAL '1 millisecond') WHERE name = ?", capped.toMillis(), name));
        } catch (DataAccessException | TransactionException e) {
            log.warn("Could not record the rate-limit hold of {} for the other replicas: {}", name, e.getMessage());
        }
    }

    @Override
    public void release() {
        jdbc.update("UPDATE provider_budget SET held_until = clock_timestamp() WHERE name = ?", name);
    }

    @Override
    public Duration heldFor() {
        try {
            return heldForOrFail();
        } catch (DataAccessException e) {
            log.debug("Could not read the rate-limit hold of {}: {}", name, e.getMessage());
            return Duration.ZERO;
        }
    }

    private Duration heldForOrFail() {
        Long heldMicros = jdbc.queryForObject("SELECT (EXTRACT(EPOCH FROM held_until - clock_timestamp()) * 1000000)::bigint "
                + "FROM provider_budget WHERE name = ?", Long.class, name);
        return heldMicros == null || heldMicros <= 0 ? Duration.ZERO : micros(heldMicros);
    }

    private PermitUnavailableException unreadable(RuntimeException e) {
        return new PermitUnavailableException("the shared request budget could not be read (" + e.getClass().getSimpleName()
                + "); trying again in " + UNREADABLE_WAIT.toSeconds() + " s", UNREADABLE_WAIT, false);
    }

    private static Duration micros(long micros) {
        return Duration.of(micros, ChronoUnit.MICROS);
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
        return Duration.of(windowMicros, ChronoUnit.MICROS);
    }
}
