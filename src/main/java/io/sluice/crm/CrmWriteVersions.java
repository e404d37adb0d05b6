package io.sluice.crm;

import io.sluice.store.SqlTime;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What Sluice last wrote to a remote CRM per object (table {@code crm_write_version}). Call {@link #lock} inside
 * {@link CrmWriteLeases#run}: it takes a lease on the object's row for that write (waiting while another write holds
 * it), so concurrent changes of one object are written one after the other and an older one is recognised as stale.
 * A lease is a row value, not a database lock: no transaction stays open while the CRM answers. A live write renews
 * its leases every third of {@code sluice.crm.write-lease}; the leases of a process that died lapse after it. What a
 * write records is fenced by its lease: a write whose lease lapsed and was taken over records nothing.
 */
@Repository
public class CrmWriteVersions implements org.springframework.beans.factory.DisposableBean {

    /** An object's last write: the provider's id for it and the source time of that change (both null if never). */
    public record Written(String provider, String objectType, String key, String remoteId, Instant sourceUpdatedAt) {

        /** True when a change of {@code sourceUpdatedAt} is not older than the one written. */
        public boolean acceptsChangeAt(Instant time) {
            return this.sourceUpdatedAt == null || time == null || !time.isBefore(this.sourceUpdatedAt);
        }
    }

    /** The leases one write holds. */
    static final class Holder {
        final String owner = "w-" + java.util.UUID.randomUUID();
        final long startedNanos = System.nanoTime();
        final java.util.Set<java.util.List<String>> held = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    }

    private static final ThreadLocal<Holder> CURRENT = new ThreadLocal<>();
    /** How soon an event whose record was busy tries again. */
    private static final java.time.Duration BUSY_RETRY = java.time.Duration.ofSeconds(5);
    /** Keys read back in one statement. */
    private static final int READ_CHUNK = 200;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final java.time.Duration lease;
    private final java.time.Duration wait;
    /** The writes running in this process, whose leases the renewer keeps alive. */
    private final java.util.Set<Holder> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService renewer;
    private final long maxRenewNanos;

    public CrmWriteVersions(JdbcTemplate jdbc, Clock clock, io.sluice.config.CrmProperties crm, io.sluice.config.InboxProperties inbox) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.lease = crm.writeLease();
        this.wait = crm.writeLockWait();
        this.maxRenewNanos = inbox.claimTimeout().toNanos();
        this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "crm-write-lease-renewer");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1000, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        renewer.shutdownNow();
    }

    /** Extends the leases of every write still running here (a slow CRM, a long rate-limit pacing). */
    private void renew() {
        try {
            for (Holder holder : running) {
                if (System.nanoTime() - holder.startedNanos > maxRenewNanos) {
                    continue; // a write running longer than the claim timeout is wedged: its records must not stay busy
                }
                List<List<String>> keys;
                synchronized (holder.held) {
                    keys = new java.util.ArrayList<>(holder.held);
                }
                if (keys.isEmpty()) {
                    continue;
                }
                var until = SqlTime.of(clock.instant().plus(lease));
                jdbc.batchUpdate("UPDATE crm_write_version SET locked_until = ? "
                        + "WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?", keys, keys.size(), (ps, key) -> {
                    ps.setObject(1, until);
                    ps.setString(2, key.get(0));
                    ps.setString(3, key.get(1));
                    ps.setString(4, key.get(2));
                    ps.setString(5, holder.owner);
                });
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CrmWriteVersions.class).warn("Could not renew CRM write leases ({}); tried again soon",
                    e.getMessage());
        }
    }

    Holder begin() {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("a CRM write is already running on this thread");
        }
        Holder holder = new Holder();
        CURRENT.set(holder);
        running.add(holder);
        return holder;
    }

    void end(Holder holder) {
        CURRENT.remove();
        running.remove(holder);
        if (holder.held.isEmpty()) {
            return;
        }
        List<List<String>> keys;
        synchronized (holder.held) {
            keys = new java.util.ArrayList<>(holder.held);
        }
        try {
            jdbc.batchUpdate("UPDATE crm_write_version SET locked_by = NULL, locked_until = NULL "
                    + "WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?", keys, keys.size(), (ps, key) -> {
                ps.setString(1, key.get(0));
                ps.setString(2, key.get(1));
                ps.setString(3, key.get(2));
                ps.setString(4, holder.owner);
            });
        } catch (org.springframework.dao.DataAccessException e) {
            // the database is away: these leases lapse by themselves after sluice.crm.write-lease
            org.slf4j.LoggerFactory.getLogger(CrmWriteVersions.class).warn("Could not give back {} CRM write leases ({}); they lapse in {}",
                    keys.size(), e.getMessage(), lease);
        }
    }

    /**
     * Takes the lease on the object's row (creating the row) for the current write, waiting up to
     * {@code sluice.crm.write-lock-wait} while another write holds it, and reads what was last written.
     */
    public Written lock(String provider, String objectType, String key) {
        Holder holder = current();
        jdbc.update("INSERT INTO crm_write_version (provider, object_type, object_key, updated_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", provider, objectType, key, SqlTime.of(clock.instant()));
        acquire(holder, provider, objectType, key);
        return jdbc.queryForObject("SELECT remote_id, source_updated_at FROM crm_write_version "
                        + "WHERE provider = ? AND object_type = ? AND object_key = ?",
                (rs, n) -> new Written(provider, objectType, key, rs.getString("remote_id"), SqlTime.read(rs, "source_updated_at")),
                provider, objectType, key);
    }

    private void acquire(Holder holder, String provider, String objectType, String key) {
        List<String> id = List.of(provider, objectType, key);
        if (holder.held.contains(id)) {
            return;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 5;
        while (true) {
            Instant now = clock.instant();
            int taken = jdbc.update("UPDATE crm_write_version SET locked_by = ?, locked_until = ? WHERE provider = ? AND object_type = ? "
                            + "AND object_key = ? AND (locked_by IS NULL OR locked_until < ?)",
                    holder.owner, SqlTime.of(now.plus(lease)), provider, objectType, key, SqlTime.of(now));
            if (taken == 1) {
                holder.held.add(id);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new io.sluice.crm.CrmRecordBusyException("the " + objectType + " " + key + " of " + provider
                        + " is being written by another event for longer than sluice.crm.write-lock-wait (" + wait.toSeconds()
                        + " s); nothing was sent", BUSY_RETRY);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.sluice.crm.CrmException("interrupted while waiting to write the " + objectType + " " + key, true, null);
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    private static Holder current() {
        Holder holder = CURRENT.get();
        if (holder == null) {
            throw new IllegalStateException("CrmWriteVersions.lock outside CrmWriteLeases.run");
        }
        return holder;
    }

    /**
     * Takes the leases of several objects of one type, in sorted key order: every writer takes them in the same order,
     * so two batches (or a batch and a single write) never wait for each other in a cycle. A few statements for the
     * whole set (a batch of pulled records takes a hundred or more): create the missing rows, try every lease at once,
     * keep the sorted run up to the first busy one, then wait for that one and the rest in order.
     */
    public java.util.Map<String, Written> lockAll(String provider, String objectType, java.util.Collection<String> keys) {
        Holder holder = current();
        List<String> sorted = new java.util.ArrayList<>(new java.util.TreeSet<>(keys));
        if (sorted.isEmpty()) {
            return new java.util.HashMap<>();
        }
        java.util.Set<String> heldBefore = new java.util.HashSet<>();
        sorted.forEach(key -> {
            if (holder.held.contains(List.of(provider, objectType, key))) {
                heldBefore.add(key);
            }
        });
        var created = SqlTime.of(clock.instant());
        jdbc.batchUpdate("INSERT INTO crm_write_version (provider, object_type, object_key, updated_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", sorted, sorted.size(), (ps, key) -> {
            ps.setString(1, provider);
            ps.setString(2, objectType);
            ps.setString(3, key);
            ps.setObject(4, created);
        });
        // counted as held from here on, whichever this write takes: if a statement below fails (even part of the batch
        // update), the write's end gives back every one of them that is this write's (a give-back only touches rows
        // locked_by this write)
        sorted.forEach(key -> holder.held.add(List.of(provider, objectType, key)));
        Instant now = clock.instant();
        var until = SqlTime.of(now.plus(lease));
        var at = SqlTime.of(now);
        jdbc.batchUpdate("UPDATE crm_write_version SET locked_by = ?, locked_until = ? WHERE provider = ? AND object_type = ? "
                + "AND object_key = ? AND (locked_by IS NULL OR locked_until < ?)", sorted, sorted.size(), (ps, key) -> {
            ps.setString(1, holder.owner);
            ps.setObject(2, until);
            ps.setString(3, provider);
            ps.setString(4, objectType);
            ps.setString(5, key);
            ps.setObject(6, at);
        });
        java.util.Map<String, Written> locked = new java.util.HashMap<>();
        java.util.Set<String> mine = new java.util.HashSet<>();
        read(provider, objectType, sorted, locked, mine, holder.owner);
        int firstBusy = 0;
        while (firstBusy < sorted.size() && mine.contains(sorted.get(firstBusy))) {
            firstBusy++;
        }
        if (firstBusy < sorted.size()) {
            // give back what was taken past the first busy key, so that this write never holds a lease out of order
            List<String> rest = sorted.subList(firstBusy, sorted.size());
            List<String> takenNow = rest.stream().filter(key -> mine.contains(key) && !heldBefore.contains(key)).toList();
            jdbc.batchUpdate("UPDATE crm_write_version SET locked_by = NULL, locked_until = NULL WHERE provider = ? "
                    + "AND object_type = ? AND object_key = ? AND locked_by = ?", takenNow, takenNow.size(), (ps, key) -> {
                ps.setString(1, provider);
                ps.setString(2, objectType);
                ps.setString(3, key);
                ps.setString(4, holder.owner);
            });
            rest.stream().filter(key -> !heldBefore.contains(key)).forEach(key -> holder.held.remove(List.of(provider, objectType, key)));
            for (String key : rest) {
                acquire(holder, provider, objectType, key);
            }
            read(provider, objectType, rest, locked, new java.util.HashSet<>(), holder.owner);
        }
        return locked;
    }

    /** Reads what was last written of {@code keys} into {@code into}, and which of them {@code owner} holds. */
    private void read(String provider, String objectType, List<String> keys, java.util.Map<String, Written> into,
                      java.util.Set<String> heldBy, String owner) {
        for (int from = 0; from < keys.size(); from += READ_CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + READ_CHUNK));
            List<Object> args = new java.util.ArrayList<>(List.of(provider, objectType));
            args.addAll(chunk);
            jdbc.query("SELECT object_key, locked_by, remote_id, source_updated_at FROM crm_write_version WHERE provider = ? "
                    + "AND object_type = ? AND object_key IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")", rs -> {
                String key = rs.getString("object_key");
                into.put(key, new Written(provider, objectType, key, rs.getString("remote_id"), SqlTime.read(rs, "source_updated_at")));
                if (owner.equals(rs.getString("locked_by"))) {
                    heldBy.add(key);
                }
            }, args.toArray());
        }
    }

    /** The provider's id of an object written earlier, without locking. */
    public Optional<String> remoteId(String provider, String objectType, String key) {
        return jdbc.queryForList("SELECT remote_id FROM crm_write_version WHERE provider = ? AND object_type = ? AND object_key = ? "
                + "AND remote_id IS NOT NULL", String.class, provider, objectType, key).stream().findFirst();
    }

    /** Remembers a write; keeps the newest source time (an enrichment's, never newer than its trigger, moves nothing). */
    public void written(Written object, String remoteId, Instant sourceUpdatedAt, String eventId) {
        Instant newest = newest(object, sourceUpdatedAt);
        fenced(jdbc.update("UPDATE crm_write_version SET remote_id = COALESCE(?, remote_id), source_updated_at = ?, last_event_id = ?, "
                        + "updated_at = ? WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?",
                remoteId, SqlTime.of(newest), eventId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key(),
                current().owner), object.objectType(), object.key());
    }

    /** One object's write, recorded with others by {@link #writtenAll}. */
    public record Write(Written object, String remoteId, Instant sourceUpdatedAt, String eventId) {
    }

    /** {@link #written} for several objects, in one batch of statements. */
    public void writtenAll(List<Write> writes) {
        if (writes.isEmpty()) {
            return;
        }
        String owner = current().owner;
        var now = SqlTime.of(clock.instant());
        int[][] rows = jdbc.batchUpdate("UPDATE crm_write_version SET remote_id = COALESCE(?, remote_id), source_updated_at = ?, "
                + "last_event_id = ?, updated_at = ? WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?",
                writes, writes.size(), (ps, write) -> {
                    Written object = write.object();
                    ps.setString(1, write.remoteId());
                    ps.setObject(2, SqlTime.of(newest(object, write.sourceUpdatedAt())));
                    ps.setString(3, write.eventId());
                    ps.setObject(4, now);
                    ps.setString(5, object.provider());
                    ps.setString(6, object.objectType());
                    ps.setString(7, object.key());
                    ps.setString(8, owner);
                });
        int i = 0;
        for (int[] chunk : rows) {
            for (int changed : chunk) {
                Write write = writes.get(i++);
                if (changed != 1 && !stillHeld(write.object(), owner)) { // a driver that did not say: ask the row
                    fenced(0, write.object().objectType(), write.object().key());
                }
            }
        }
    }

    private boolean stillHeld(Written object, String owner) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM crm_write_version WHERE provider = ? AND object_type = ? AND object_key = ? "
                + "AND locked_by = ?", Integer.class, object.provider(), object.objectType(), object.key(), owner);
        return n != null && n == 1;
    }

    private static Instant newest(Written object, Instant sourceUpdatedAt) {
        return object.sourceUpdatedAt() != null && sourceUpdatedAt != null && sourceUpdatedAt.isBefore(object.sourceUpdatedAt())
                ? object.sourceUpdatedAt() : sourceUpdatedAt;
    }

    /** Remembers the provider's id of an object found again by its natural key, without touching its source time. */
    public void rememberRemoteId(Written object, String remoteId) {
        fenced(jdbc.update("UPDATE crm_write_version SET remote_id = ?, updated_at = ? WHERE provider = ? AND object_type = ? "
                        + "AND object_key = ? AND locked_by = ?",
                remoteId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key(), current().owner),
                object.objectType(), object.key());
    }

    /**
     * Remembers the id of an object written again after the provider lost it, and forgets its source time: the
     * provider holds only what that write sent, so the object's next change, whatever its time, writes it fully.
     */
    public void refound(Written object, String remoteId) {
        fenced(jdbc.update("UPDATE crm_write_version SET remote_id = ?, source_updated_at = NULL, updated_at = ? "
                        + "WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?",
                remoteId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key(), current().owner),
                object.objectType(), object.key());
    }

    /** Forgets the provider's id of an object it no longer has, keeping its source time (the change stays ordered). */
    public void forgetRemoteId(Written object) {
        rememberRemoteId(object, null);
    }

    /**
     * Forgets an object the provider no longer has (deleted there): its id and its source time, so the next change
     * of it, however old, writes it again. Call with the row locked.
     */
    public void forget(String provider, String objectType, String key) {
        fenced(jdbc.update("UPDATE crm_write_version SET remote_id = NULL, source_updated_at = NULL, updated_at = ? "
                + "WHERE provider = ? AND object_type = ? AND object_key = ? AND locked_by = ?", SqlTime.of(clock.instant()), provider,
                objectType, key, current().owner), objectType, key);
    }

    /** A record statement that changed no row: this write's lease lapsed and another write took it over. */
    private static void fenced(int rows, String objectType, String key) {
        if (rows != 1) {
            throw new io.sluice.crm.CrmRecordBusyException("the lease on the " + objectType + " " + key + " lapsed while it was "
                    + "written (a stall longer than sluice.crm.write-lease); nothing recorded, the event is tried again", BUSY_RETRY);
        }
    }
}
