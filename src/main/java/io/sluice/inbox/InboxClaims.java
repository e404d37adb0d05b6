package io.sluice.inbox;

import io.sluice.store.SqlTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Claims on the inbox: taking stored events (and waiting ones whose next try is due) for processing, and putting
 * back claims whose exchange was lost. A claim is the event's status {@code PROCESSING} and its {@code updated_at}.
 */
@Repository
public class InboxClaims {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public InboxClaims(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** An event claimed from the inbox, with its source. */
    public record Claimed(String id, String source) {
    }

    /** Claims up to {@code limit} waiting events, oldest first, in one transaction; each id goes to exactly one claimer. */
    @Transactional
    public List<Claimed> claimReceived(int limit) {
        return claimReceived(limit, List.of());
    }

    /** As {@link #claimReceived(int)}, leaving events of the {@code heldSources} (paused kinds of work) in the inbox. */
    @Transactional
    public List<Claimed> claimReceived(int limit, java.util.Collection<String> heldSources) {
        var now = SqlTime.of(clock.instant());
        StringBuilder sql = new StringBuilder("SELECT id, source FROM event_log "
                + "WHERE (status = 'RECEIVED' OR (status = 'WAITING' AND next_attempt_at <= ?))");
        List<Object> args = new ArrayList<>();
        args.add(now);
        if (!heldSources.isEmpty()) {
            sql.append(" AND source NOT IN (").append(String.join(", ", java.util.Collections.nCopies(heldSources.size(), "?"))).append(")");
            args.addAll(heldSources);
        }
        sql.append(" ORDER BY received_at, id LIMIT ?");
        args.add(limit);
        List<Claimed> rows = jdbc.query(sql.toString(), (rs, n) -> new Claimed(rs.getString("id"), rs.getString("source")), args.toArray());
        List<String> candidates = rows.stream().map(Claimed::id).toList();
        if (candidates.isEmpty()) {
            return List.of();
        }
        int[][] counts = jdbc.batchUpdate("UPDATE event_log SET status = 'PROCESSING', updated_at = ? WHERE id = ? "
                        + "AND (status = 'RECEIVED' OR (status = 'WAITING' AND next_attempt_at <= ?))",
                candidates, candidates.size(), (ps, id) -> {
                    ps.setObject(1, now);
                    ps.setString(2, id);
                    ps.setObject(3, now);
                });
        boolean[] changed = EventLog.rowsChanged(counts, candidates.size());
        List<Claimed> claimed = new ArrayList<>(candidates.size());
        for (int i = 0; i < changed.length; i++) {
            if (changed[i]) {
                claimed.add(rows.get(i));
            }
        }
        return claimed;
    }

    /**
     * Puts back events claimed longer ago than {@code claimedBefore}: their exchange was lost (say, the database
     * failed while a dead letter was being recorded). Idempotency makes a second run harmless.
     */
    public int requeueClaimedBefore(Instant claimedBefore) {
        return jdbc.update("UPDATE event_log SET status = 'RECEIVED', updated_at = ? WHERE status = 'PROCESSING' AND updated_at < ?",
                SqlTime.of(clock.instant()), SqlTime.of(claimedBefore));
    }

    /** After a crash, events that were being processed go back to the inbox; idempotency makes that safe. */
    public int requeueInterrupted() {
        return jdbc.update("UPDATE event_log SET status = 'RECEIVED', updated_at = ? WHERE status = 'PROCESSING'",
                SqlTime.of(clock.instant()));
    }
}
