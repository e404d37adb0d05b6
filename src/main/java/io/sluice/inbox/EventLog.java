package io.sluice.inbox;

import io.sluice.store.ErrorText;
import io.sluice.store.Page;
import io.sluice.store.ProcessedEventRepository;
import io.sluice.store.SqlTime;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** The event log, which is also the JDBC inbox: every delivery Sluice acknowledged, with its status and history. */
@Repository
public class EventLog {

    private static final String COLUMNS =
            "id, source, type, subject_key, occurred_at, status, attempts, last_error, payload, received_at, updated_at, change_key, person_email";

    private static final RowMapper<StoredEvent> ROW = (rs, n) -> new StoredEvent(
            rs.getString("id"), rs.getString("source"), rs.getString("type"), rs.getString("subject_key"),
            SqlTime.read(rs, "occurred_at"), EventStatus.valueOf(rs.getString("status")), rs.getInt("attempts"),
            rs.getString("last_error"), rs.getBytes("payload"), SqlTime.read(rs, "received_at"),
            SqlTime.read(rs, "updated_at"), rs.getString("change_key"), rs.getString("person_email"));

    /**
     * The fence on the outcome of a claimed event: it is recorded only while the event is still claimed, and not by
     * another process. One whose claim was taken over (its lease ran out here) is the new holder's to finish, and a
     * late outcome of this process must overwrite neither its claim nor the outcome it recorded.
     */
    private static final String STILL_CLAIMED_HERE = " AND status = 'PROCESSING' AND (claimed_by IS NULL OR claimed_by = ?)";
    /** The fence on an operator's or a feature's status change: never over another process's live claim. */
    private static final String NOT_CLAIMED_BY_ANOTHER = " AND NOT (status = 'PROCESSING' AND claimed_by IS NOT NULL AND claimed_by <> ?)";
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    /** Every status this class writes ends a claim: this process stops renewing it (InboxClaims), once committed. */
    private final HeldClaims held;
    private final ClaimOwner owner;

    public EventLog(JdbcTemplate jdbc, Clock clock, HeldClaims held, ClaimOwner owner) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.held = held;
        this.owner = owner;
    }

    /** Stores a new event; false when an event with this id is already stored (a duplicate delivery). */
    public boolean insertIfAbsent(CanonicalEvent event) {
        var now = SqlTime.of(clock.instant());
        int inserted = jdbc.update("INSERT INTO event_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING",
                event.id(), event.source(), event.type(), event.subjectKey(), SqlTime.of(event.occurredAt()),
                event.status().name(), event.payload(), now, now, event.changeKey(), event.personEmail());
        return inserted == 1;
    }

    /** Stores several new events in one statement batch; element i is false where event i was a duplicate. */
    @Transactional
    public boolean[] insertAllIfAbsent(List<CanonicalEvent> events) {
        var now = SqlTime.of(clock.instant());
        int[][] counts = jdbc.batchUpdate("INSERT INTO event_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING", events, events.size(), (ps, event) -> {
                    ps.setString(1, event.id());
                    ps.setString(2, event.source());
                    ps.setString(3, event.type());
                    ps.setString(4, event.subjectKey());
                    ps.setObject(5, SqlTime.of(event.occurredAt()));
                    ps.setString(6, event.status().name());
                    ps.setBytes(7, event.payload());
                    ps.setObject(8, now);
                    ps.setObject(9, now);
                    ps.setString(10, event.changeKey());
                    ps.setString(11, event.personEmail());
                });
        return rowsChanged(counts, events.size());
    }

    /** Records a signed but unusable delivery as REJECTED, under an id of its own so it never shadows a good one. */
    public String recordRejected(String source, String deliveryId, byte[] payload, String reason) {
        var now = clock.instant();
        String id = (deliveryId == null ? source + ":unknown" : deliveryId) + "#rejected-" + now.toEpochMilli();
        jdbc.update("INSERT INTO event_log (" + COLUMNS + ") VALUES (?, ?, ?, NULL, NULL, ?, 0, ?, ?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING",
                id, source, "(unparsed)", EventStatus.REJECTED.name(), ErrorText.truncate(reason), payload,
                SqlTime.of(now), SqlTime.of(now));
        history(id, EventStatus.REJECTED, reason);
        return id;
    }

    public Optional<StoredEvent> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM event_log WHERE id = ?", ROW, id).stream().findFirst();
    }

    /** The stored events of {@code ids} that exist, in the order of {@code ids}: one statement for a batch. */
    public List<StoredEvent> findAll(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        java.util.Map<String, StoredEvent> byId = new java.util.HashMap<>();
        jdbc.query("SELECT " + COLUMNS + " FROM event_log WHERE id IN (" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?"))
                + ")", ROW, ids.toArray()).forEach(event -> byId.put(event.id(), event));
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    }

    /** An operator's or a feature's status change (a replay, a malformed page's dead letter): any event not claimed elsewhere. */
    @Transactional
    public void markStatus(String id, EventStatus status, String detail) {
        int changed = jdbc.update("UPDATE event_log SET status = ?, updated_at = ? WHERE id = ?" + NOT_CLAIMED_BY_ANOTHER,
                status.name(), SqlTime.of(clock.instant()), id, owner.name());
        ended(id, changed, status, detail);
    }

    /**
     * Ends this process's claim of event {@code id} with {@code status} (back to the inbox, or dead): false, and
     * nothing recorded, when it no longer holds the claim. {@code detail} null: the caller writes the history line.
     */
    @Transactional
    public boolean markClaimEnded(String id, EventStatus status, String detail) {
        int changed = jdbc.update("UPDATE event_log SET status = ?, updated_at = ? WHERE id = ?" + STILL_CLAIMED_HERE,
                status.name(), SqlTime.of(clock.instant()), id, owner.name());
        return ended(id, changed, status, detail);
    }

    /**
     * Where an event is in its retries: when it first failed in a way waiting heals, how often it waited, and when it
     * is tried next (while it waits).
     */
    public record Retries(Instant failingSince, int waits, Instant nextAttemptAt) {
    }

    public Retries retries(String id) {
        return jdbc.query("SELECT failing_since, waits, next_attempt_at FROM event_log WHERE id = ?",
                (rs, n) -> new Retries(SqlTime.read(rs, "failing_since"), rs.getInt("waits"), SqlTime.read(rs, "next_attempt_at")),
                id).stream().findFirst().orElse(new Retries(null, 0, null));
    }

    /**
     * Puts an event back in the inbox to be claimed again at {@code nextAttempt}. {@code countsAsRound}: false when no
     * call was made (an open breaker, a rate-limit hold), so the wait does not move the event along its schedule.
     */
    @Transactional
    public boolean markWaiting(String id, Instant nextAttempt, boolean countsAsRound, String detail) {
        var now = SqlTime.of(clock.instant());
        int changed;
        if (countsAsRound) {
            // only a failed try starts the retry horizon, and moves the event along its schedule
            changed = jdbc.update("UPDATE event_log SET status = 'WAITING', next_attempt_at = ?, failing_since = COALESCE(failing_since, ?), "
                    + "waits = waits + 1, updated_at = ? WHERE id = ?" + STILL_CLAIMED_HERE, SqlTime.of(nextAttempt), now, now, id, owner.name());
        } else {
            changed = jdbc.update("UPDATE event_log SET status = 'WAITING', next_attempt_at = ?, updated_at = ? WHERE id = ?"
                    + STILL_CLAIMED_HERE, SqlTime.of(nextAttempt), now, id, owner.name());
        }
        return ended(id, changed, EventStatus.WAITING, detail);
    }

    /** Makes every waiting event due now (the CRM answers again): the next claim takes them. */
    public int makeWaitingDue() {
        var now = SqlTime.of(clock.instant());
        return jdbc.update("UPDATE event_log SET next_attempt_at = ? WHERE status = 'WAITING' AND next_attempt_at > ?", now, now);
    }

    /** True when an event of {@code subject} newer than {@code occurredAt} was applied (or found already applied). */
    public boolean newerApplied(String subject, Instant occurredAt) {
        if (subject == null || occurredAt == null) {
            return false;
        }
        Long newer = jdbc.queryForObject("SELECT COUNT(*) FROM event_log WHERE subject_key = ? AND occurred_at > ? AND status = 'DONE'",
                Long.class, subject, SqlTime.of(occurredAt));
        return newer != null && newer > 0;
    }

    /** Forgets an event's retries (a replayed dead letter starts its horizon again). */
    public void resetRetries(String id) {
        jdbc.update("UPDATE event_log SET next_attempt_at = NULL, failing_since = NULL, waits = 0 WHERE id = ?", id);
    }

    /** When the oldest event still to be applied (received, waiting or being processed) was received; null if none. */
    public Instant oldestUnfinishedReceivedAt() {
        return jdbc.queryForObject("SELECT MIN(received_at) AS oldest FROM event_log WHERE status IN ('RECEIVED', 'WAITING', 'PROCESSING')",
                (rs, n) -> SqlTime.read(rs, "oldest"));
    }

    /** The earliest next attempt of a waiting event; null if none waits. */
    public Instant nextWaitingAttempt() {
        return jdbc.queryForObject("SELECT MIN(next_attempt_at) AS next_at FROM event_log WHERE status = 'WAITING'",
                (rs, n) -> SqlTime.read(rs, "next_at"));
    }

    /** Counts an attempt that failed and remembers why. */
    @Transactional
    public void recordFailedAttempt(String id, String error, boolean callMade) {
        // an open breaker or a spent budget sent nothing: it is no attempt, only the reason the event waits
        jdbc.update("UPDATE event_log SET attempts = attempts + ?, last_error = ?, updated_at = ? WHERE id = ?",
                callMade ? 1 : 0, ErrorText.truncate(error), SqlTime.of(clock.instant()), id);
        history(id, EventStatus.PROCESSING, "attempt failed: " + error);
    }

    /** Marks the final status of a successful attempt, counting that attempt. */
    @Transactional
    public boolean markCompleted(String id, EventStatus status, String detail) {
        int changed = jdbc.update("UPDATE event_log SET status = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?"
                + STILL_CLAIMED_HERE, status.name(), SqlTime.of(clock.instant()), id, owner.name());
        return ended(id, changed, status, detail);
    }

    /**
     * As {@link #markCompleted}, and remembers {@code changeKey} as applied for the idempotent consumer
     * {@code processor} in the same transaction: a crash can no longer leave the event done with its change
     * unremembered, for a webhook or pull of the same change to apply again.
     */
    @Transactional
    public boolean markCompletedRemembering(String id, EventStatus status, String detail, String processor, String changeKey) {
        return !markAllCompletedRemembering(List.of(new Completion(id, status, detail, changeKey)), processor).isEmpty();
    }

    /** One event's end, recorded with others by {@link #markAllCompletedRemembering}. */
    public record Completion(String id, EventStatus status, String detail, String changeKey) {
    }

    /**
     * {@link #markCompletedRemembering} for several events (a batch), in one transaction and one batch of statements
     * each; returns the ids whose outcome was recorded (the others' claims were taken over).
     */
    @Transactional
    public List<String> markAllCompletedRemembering(List<Completion> unordered, String processor) {
        if (unordered.isEmpty()) {
            return List.of();
        }
        // rows in id order: two batches completing at once never wait for each other's rows in a cycle
        List<Completion> completions = unordered.stream().sorted(java.util.Comparator.comparing(Completion::id)).toList();
        var now = clock.instant();
        List<Completion> remembered = completions.stream().filter(c -> c.changeKey() != null).toList();
        jdbc.batchUpdate(ProcessedEventRepository.INSERT_IF_ABSENT,
                remembered, remembered.size(), (ps, c) -> {
                    ps.setString(1, processor);
                    ps.setString(2, c.changeKey());
                    ps.setTimestamp(3, java.sql.Timestamp.from(now));
                });
        int[][] counts = jdbc.batchUpdate("UPDATE event_log SET status = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?"
                        + STILL_CLAIMED_HERE, completions, completions.size(), (ps, c) -> {
                    ps.setString(1, c.status().name());
                    ps.setObject(2, SqlTime.of(now));
                    ps.setString(3, c.id());
                    ps.setString(4, owner.name());
                });
        releaseAfterCommit(completions.stream().map(Completion::id).toList());
        boolean[] changed = rowsChanged(counts, completions.size());
        List<Completion> recorded = new ArrayList<>(completions.size());
        for (int i = 0; i < changed.length; i++) {
            if (changed[i]) {
                recorded.add(completions.get(i));
            } else {
                log.warn("Event {} is no longer claimed by this process (its lease ran out and it was taken back); "
                        + "its outcome {} is not recorded here", completions.get(i).id(), completions.get(i).status());
            }
        }
        jdbc.batchUpdate("INSERT INTO event_history (event_id, at, status, detail) VALUES (?, ?, ?, ?)",
                recorded, recorded.size(), (ps, c) -> {
                    ps.setString(1, c.id());
                    ps.setObject(2, SqlTime.of(now));
                    ps.setString(3, c.status().name());
                    ps.setString(4, ErrorText.truncate(c.detail()));
                });
        return recorded.stream().map(Completion::id).toList();
    }

    public List<EventHistoryEntry> history(String id) {
        return jdbc.query("SELECT at, status, detail FROM event_history WHERE event_id = ? ORDER BY id",
                (rs, n) -> new EventHistoryEntry(SqlTime.read(rs, "at"), rs.getString("status"), rs.getString("detail")), id);
    }

    public long countByStatus(EventStatus status) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM event_log WHERE status = ?", Long.class, status.name());
        return count == null ? 0 : count;
    }

    /** A person's events, oldest first (at most {@code limit} of the newest): what Sluice knows of them. */
    public List<StoredEvent> forPerson(String email, int limit) {
        List<StoredEvent> newest = jdbc.query("SELECT " + COLUMNS + " FROM event_log WHERE person_email = ? AND status IN "
                + "('DONE', 'STALE', 'RECEIVED', 'WAITING', 'PROCESSING') ORDER BY received_at DESC, id DESC LIMIT ?", ROW, email, limit);
        List<StoredEvent> oldestFirst = new ArrayList<>(newest);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** Newest first; {@code before} is the cursor a previous page returned. */
    public Page<StoredEvent> list(EventStatus status, String type, int limit, String before) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM event_log WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (type != null) {
            sql.append(" AND type = ?");
            args.add(type);
        }
        if (before != null) {
            Cursor cursor = Cursor.decode(before);
            sql.append(" AND (received_at < ? OR (received_at = ? AND id < ?))");
            args.add(SqlTime.of(cursor.receivedAt()));
            args.add(SqlTime.of(cursor.receivedAt()));
            args.add(cursor.id());
        }
        sql.append(" ORDER BY received_at DESC, id DESC LIMIT ?");
        args.add(limit + 1);
        return Page.of(jdbc.query(sql.toString(), ROW, args.toArray()), limit,
                last -> new Cursor(last.receivedAt(), last.id()).encode());
    }

    /** Per statement of a batch, whether it changed a row; SUCCESS_NO_INFO (-2) counts as changed. */
    static boolean[] rowsChanged(int[][] counts, int size) {
        boolean[] changed = new boolean[size];
        int i = 0;
        for (int[] batch : counts) {
            for (int count : batch) {
                changed[i++] = count != 0;
            }
        }
        return changed;
    }

    /** Adds a line to an event's history without changing its status (the reason an event was stored IGNORED, say). */
    public void history(String id, EventStatus status, String detail) {
        jdbc.update("INSERT INTO event_history (event_id, at, status, detail) VALUES (?, ?, ?, ?)",
                id, SqlTime.of(clock.instant()), status.name(), ErrorText.truncate(detail));
    }

    /** After an outcome's update: its history when it was recorded, a warning when the fence kept it out. */
    private boolean ended(String id, int changed, EventStatus status, String detail) {
        releaseAfterCommit(List.of(id));
        if (changed == 0) {
            log.warn("Event {} is no longer claimed by this process (its lease ran out and it was taken back); its outcome {} "
                    + "is not recorded here", id, status);
            return false;
        }
        if (detail != null) {
            history(id, status, detail);
        }
        return true;
    }

    /** Stops renewing the claims of {@code ids} once the transaction that ended them commits (at once without one). */
    private void releaseAfterCommit(List<String> ids) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    held.released(ids);
                }
            });
        } else {
            held.released(ids);
        }
    }

    /** An opaque paging position: the last item's receipt time and id. */
    public record Cursor(Instant receivedAt, String id) {

        public String encode() {
            String raw = receivedAt.getEpochSecond() + ":" + receivedAt.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                String[] parts = raw.split(":", 3);
                return new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'before' is not a cursor returned by this API");
            }
        }
    }
}
