package io.sluice.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * What Sluice last wrote to a remote CRM per object (table {@code crm_write_version}). Call {@link #lock} inside the
 * transaction that spans the CRM write: the row stays locked until it commits, so concurrent changes of one object
 * are written one after the other and an older one is recognised as stale.
 */
@Repository
public class CrmWriteVersions {

    /** An object's last write: the provider's id for it and the source time of that change (both null if never). */
    public record Written(String provider, String objectType, String key, String remoteId, Instant sourceUpdatedAt) {

        /** True when a change of {@code sourceUpdatedAt} is not older than the one written. */
        public boolean acceptsChangeAt(Instant time) {
            return this.sourceUpdatedAt == null || time == null || !time.isBefore(this.sourceUpdatedAt);
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public CrmWriteVersions(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Locks the object's row (creating it) until the current transaction ends. */
    public Written lock(String provider, String objectType, String key) {
        jdbc.update("INSERT INTO crm_write_version (provider, object_type, object_key, updated_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", provider, objectType, key, SqlTime.of(clock.instant()));
        return jdbc.queryForObject("SELECT remote_id, source_updated_at FROM crm_write_version "
                        + "WHERE provider = ? AND object_type = ? AND object_key = ? FOR UPDATE",
                (rs, n) -> new Written(provider, objectType, key, rs.getString("remote_id"), SqlTime.read(rs, "source_updated_at")),
                provider, objectType, key);
    }

    /**
     * Locks the rows of several objects of one type, in sorted key order: every writer takes locks in the same order,
     * so two batches (or a batch and a single write) never wait for each other in a cycle.
     */
    public java.util.Map<String, Written> lockAll(String provider, String objectType, java.util.Collection<String> keys) {
        java.util.Map<String, Written> locked = new java.util.HashMap<>();
        for (String key : new java.util.TreeSet<>(keys)) {
            locked.put(key, lock(provider, objectType, key));
        }
        return locked;
    }

    /** The provider's id of an object written earlier, without locking. */
    public Optional<String> remoteId(String provider, String objectType, String key) {
        return jdbc.queryForList("SELECT remote_id FROM crm_write_version WHERE provider = ? AND object_type = ? AND object_key = ? "
                + "AND remote_id IS NOT NULL", String.class, provider, objectType, key).stream().findFirst();
    }

    /** Remembers a write; keeps the newest source time. */
    public void written(Written object, String remoteId, Instant sourceUpdatedAt, String eventId) {
        Instant newest = object.sourceUpdatedAt() != null && sourceUpdatedAt != null && sourceUpdatedAt.isBefore(object.sourceUpdatedAt())
                ? object.sourceUpdatedAt() : sourceUpdatedAt;
        jdbc.update("UPDATE crm_write_version SET remote_id = COALESCE(?, remote_id), source_updated_at = ?, last_event_id = ?, "
                        + "updated_at = ? WHERE provider = ? AND object_type = ? AND object_key = ?",
                remoteId, SqlTime.of(newest), eventId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key());
    }

    /** Remembers the provider's id of an object found again by its natural key, without touching its source time. */
    public void rememberRemoteId(Written object, String remoteId) {
        jdbc.update("UPDATE crm_write_version SET remote_id = ?, updated_at = ? WHERE provider = ? AND object_type = ? AND object_key = ?",
                remoteId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key());
    }

    /**
     * Remembers the id of an object written again after the provider lost it, and forgets its source time: the
     * provider holds only what that write sent, so the object's next change, whatever its time, writes it fully.
     */
    public void refound(Written object, String remoteId) {
        jdbc.update("UPDATE crm_write_version SET remote_id = ?, source_updated_at = NULL, updated_at = ? "
                        + "WHERE provider = ? AND object_type = ? AND object_key = ?",
                remoteId, SqlTime.of(clock.instant()), object.provider(), object.objectType(), object.key());
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
        jdbc.update("UPDATE crm_write_version SET remote_id = NULL, source_updated_at = NULL, updated_at = ? "
                + "WHERE provider = ? AND object_type = ? AND object_key = ?", SqlTime.of(clock.instant()), provider, objectType, key);
    }
}
