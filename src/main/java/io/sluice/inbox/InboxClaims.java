package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import io.sluice.store.SqlTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Claims on the inbox: taking stored events (and waiting ones whose next try is due) for processing, renewing the
 * leases of the claims this process holds, and taking back claims whose lease ran out. A claim is the event's
 * status {@code PROCESSING}, its owner ({@code claimed_by}, {@link ClaimOwner}) and its lease ({@code lease_until}).
 * Replicas on one database never take each other's live work: only a lease that nobody renewed is taken back.
 */
@Repository
public class InboxClaims {

    /** Ids per renewal statement. */
    private static final int RENEWAL_CHUNK = 500;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ClaimOwner owner;
    private final HeldClaims held;
    private final Duration lease;
    private final Duration claimTimeout;

    public InboxClaims(JdbcTemplate jdbc, Clock clock, ClaimOwner owner, HeldClaims held, InboxProperties inbox) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.owner = owner;
        this.held = held;
        this.lease = inbox.lease();
        this.claimTimeout = inbox.claimTimeout();
    }

    /** An event claimed from the inbox, with its source; {@code retry}: it had waited (WAITING) for another try. */
    public record Claimed(String id, String source, boolean retry) {
    }

    /** Claims up to {@code limit} waiting events, oldest first, in one transaction; each id goes to exactly one claimer. */
    @Transactional
    public List<Claimed> claimReceived(int limit) {
        return claimReceived(limit, List.of());
    }

    /** As {@link #claimReceived(int)}, leaving events of the {@code heldSources} (paused kinds of work) in the inbox. */
    @Transactional
    public List<Claimed> claimReceived(int limit, java.util.Collection<String> heldSources) {
        Instant instant = clock.instant();
        var now = SqlTime.of(instant);
        var leaseUntil = SqlTime.of(instant.plus(lease));
        String notHeld = heldSources.isEmpty() ? ""
                : " AND source NOT IN (" + String.join(", ", java.util.Collections.nCopies(heldSources.size(), "?")) + ")";
        // received and due events apart, each read in the order of its index (the oldest received; the longest due) and
        // cut at the limit, then merged: one query over both with an OR read and sorted every received row per claim
        StringBuilder sql = new StringBuilder("SELECT id, source, status FROM ("
                + "(SELECT id, source, status, received_at FROM event_log WHERE status = 'RECEIVED'" + notHeld
                + " ORDER BY received_at, id LIMIT ?) UNION ALL "
                + "(SELECT id, source, status, received_at FROM event_log WHERE status = 'WAITING' AND next_attempt_at <= ?" + notHeld
                + " ORDER BY next_attempt_at LIMIT ?)) candidates ORDER BY received_at, id LIMIT ?");
        List<Object> args = new ArrayList<>(heldSources);
        args.add(limit);
        args.add(now);
        args.addAll(heldSources);
        args.add(limit);
        args.add(limit);
        List<Claimed> rows = jdbc.query(sql.toString(), (rs, n) -> new Claimed(rs.getString("id"), rs.getString("source"),
                "WAITING".equals(rs.getString("status"))), args.toArray());
        List<String> candidates = rows.stream().map(Claimed::id).toList();
        if (candidates.isEmpty()) {
            return List.of();
        }
        int[][] counts = jdbc.batchUpdate("UPDATE event_log SET status = 'PROCESSING', updated_at = ?, claimed_by = ?, "
                        + "lease_until = ? WHERE id = ? AND (status = 'RECEIVED' OR (status = 'WAITING' AND next_attempt_at <= ?))",
                candidates, candidates.size(), (ps, id) -> {
                    ps.setObject(1, now);
                    ps.setString(2, owner.name());
                    ps.setObject(3, leaseUntil);
                    ps.setString(4, id);
                    ps.setObject(5, now);
                });
        boolean[] changed = EventLog.rowsChanged(counts, candidates.size());
        List<Claimed> claimed = new ArrayList<>(candidates.size());
        for (int i = 0; i < changed.length; i++) {
            if (changed[i]) {
                claimed.add(rows.get(i));
            }
        }
        held.held(claimed.stream().map(Claimed::id).toList());
        return claimed;
    }

    /** Extends the lease of every claim this process still holds; returns how many it extended. */
    public int renewLeases() {
        List<String> ids = held.renewable();
        var leaseUntil = SqlTime.of(clock.instant().plus(lease));
        int renewed = 0;
        for (int from = 0; from < ids.size(); from += RENEWAL_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RENEWAL_CHUNK));
            List<Object> args = new ArrayList<>(chunk.size() + 2);
            args.add(leaseUntil);
            args.add(owner.name());
            args.addAll(chunk);
            renewed += jdbc.update("UPDATE event_log SET lease_until = ? WHERE claimed_by = ? AND status = 'PROCESSING' AND id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")", args.toArray());
        }
        return renewed;
    }

    /**
     * Puts back in the inbox every claim whose lease ran out: its process died or lost the event's exchange (say,
     * the database failed while the outcome was being recorded). A claim made by a release before leases existed
     * counts as leased until its {@code updated_at} plus the claim timeout, as that release kept it. Idempotency
     * makes a second run of such an event harmless.
     */
    public int takeBackExpired() {
        Instant now = clock.instant();
        return jdbc.update("UPDATE event_log SET status = 'RECEIVED', claimed_by = NULL, lease_until = NULL, updated_at = ? "
                        + "WHERE status = 'PROCESSING' AND (lease_until < ? OR (lease_until IS NULL AND updated_at < ?))",
                SqlTime.of(now), SqlTime.of(now), SqlTime.of(now.minus(claimTimeout)));
    }

    /**
     * Puts back every claim under this process's name, once it has started: what an earlier run under the same name
     * held when it stopped. No other process's claims are touched.
     */
    public int takeBackOwn() {
        return jdbc.update("UPDATE event_log SET status = 'RECEIVED', claimed_by = NULL, lease_until = NULL, updated_at = ? "
                + "WHERE status = 'PROCESSING' AND claimed_by = ?", SqlTime.of(clock.instant()), owner.name());
    }

    /** The name this process claims under. */
    public String owner() {
        return owner.name();
    }
}
