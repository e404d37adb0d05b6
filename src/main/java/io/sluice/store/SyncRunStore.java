package io.sluice.store;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whop sync runs, their per-resource progress and the incremental watermarks. The page cursor is stored in the
 * same transaction as the events of the page, so a run resumes after a crash exactly where its events end.
 */
@Repository
public class SyncRunStore {

    /**
     * A run's writes are made by the process holding it (or any, for a run of an earlier version that names none): one
     * whose lease ran out and was taken over changes nothing more.
     */
    private static final String HELD = " AND (claimed_by IS NULL OR claimed_by = ?)";
    private static final String COLUMNS = "id, sync_mode, started_by, status, resources, resource_index, page_cursor, "
            + "updated_after, high_water, errors, last_error, started_at, updated_at, finished_at, claimed_by, lease_until";
    private static final RowMapper<SyncRun> ROW = (rs, n) -> new SyncRun(rs.getString("id"), rs.getString("sync_mode"),
            rs.getString("started_by"), rs.getString("status"), Arrays.asList(rs.getString("resources").split(",")),
            rs.getInt("resource_index"), rs.getString("page_cursor"), SqlTime.read(rs, "updated_after"),
            SqlTime.read(rs, "high_water"), rs.getInt("errors"), rs.getString("last_error"), SqlTime.read(rs, "started_at"),
            SqlTime.read(rs, "updated_at"), SqlTime.read(rs, "finished_at"), rs.getString("claimed_by"),
            SqlTime.read(rs, "lease_until"));

    /** Progress of one resource within a run. */
    public record ResourceProgress(String resource, int pages, long records, long newEvents, long rejected, int errors,
                                   boolean done) {
    }

    /** A second run of a mode while one is unfinished. */
    public static class RunConflictException extends RuntimeException {
        private final String runningId;

        public RunConflictException(String mode, String runningId) {
            super("a " + mode + " Whop sync is already running: " + runningId);
            this.runningId = runningId;
        }

        public String runningId() {
            return runningId;
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public SyncRunStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Creates a run, held by {@code owner} until {@code leaseUntil}; at most one unfinished run per mode, else
     * {@link RunConflictException} naming the running one.
     */
    @Transactional
    public SyncRun create(String id, String mode, String startedBy, List<String> resources, String startCursor,
                          Instant updatedAfter, String owner, Instant leaseUntil) {
        var now = SqlTime.of(clock.instant());
        try {
            jdbc.update("INSERT INTO whop_sync_run (id, sync_mode, started_by, active_mode, status, resources, resource_index, "
                            + "page_cursor, updated_after, errors, started_at, updated_at, claimed_by, lease_until) "
                            + "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?, ?)",
                    id, mode, startedBy, mode, SyncRun.RUNNING, String.join(",", resources), startCursor,
                    SqlTime.of(updatedAfter), now, now, owner, SqlTime.of(leaseUntil));
        } catch (DuplicateKeyException e) {
            throw new RunConflictException(mode, activeRun(mode).map(SyncRun::id).orElse("(finished meanwhile; try again)"));
        }
        for (String resource : resources) {
            jdbc.update("INSERT INTO whop_sync_progress (run_id, resource) VALUES (?, ?)", id, resource);
        }
        return find(id).orElseThrow();
    }

    public Optional<SyncRun> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM whop_sync_run WHERE id = ?", ROW, id).stream().findFirst();
    }

    public Optional<SyncRun> activeRun(String mode) {
        return jdbc.query("SELECT " + COLUMNS + " FROM whop_sync_run WHERE active_mode = ?", ROW, mode).stream().findFirst();
    }

    public List<SyncRun> unfinished() {
        return jdbc.query("SELECT " + COLUMNS + " FROM whop_sync_run WHERE finished_at IS NULL ORDER BY started_at", ROW);
    }

    /** Newest first. */
    public List<SyncRun> recent(int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM whop_sync_run ORDER BY started_at DESC, id DESC LIMIT ?", ROW, limit);
    }

    /** When the newest run of a mode started, if any ran. */
    public Optional<Instant> lastStartedAt(String mode) {
        return jdbc.query("SELECT MAX(started_at) AS last FROM whop_sync_run WHERE sync_mode = ?",
                (rs, n) -> SqlTime.read(rs, "last"), mode).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /**
     * Takes an unfinished run over for {@code owner} until {@code leaseUntil}, if it is still as the caller saw it
     * (status, last update and holder's lease): of two processes resuming one run, exactly one wins.
     */
    public boolean claim(SyncRun seen, String owner, Instant leaseUntil) {
        return jdbc.update("UPDATE whop_sync_run SET status = ?, updated_at = ?, claimed_by = ?, lease_until = ? WHERE id = ? "
                        + "AND status = ? AND updated_at = ? AND lease_until IS NOT DISTINCT FROM ? AND finished_at IS NULL",
                SyncRun.RUNNING, SqlTime.of(clock.instant()), owner, SqlTime.of(leaseUntil), seen.id(), seen.status(),
                SqlTime.of(seen.updatedAt()), SqlTime.of(seen.leaseUntil())) == 1;
    }

    /** Extends to {@code until} the hold of {@code owner} on those of {@code ids} it still holds and that are unfinished. */
    public void renew(String owner, Collection<String> ids, Instant until) {
        if (ids.isEmpty()) {
            return;
        }
        List<Object> arguments = new ArrayList<>(List.of(SqlTime.of(until), owner));
        arguments.addAll(ids);
        jdbc.update("UPDATE whop_sync_run SET lease_until = ? WHERE claimed_by = ? AND finished_at IS NULL AND id IN ("
                + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")", arguments.toArray());
    }

    /**
     * Records a page pulled from {@code resource}: its counts, and the next cursor, or the move to the next resource
     * when {@code nextCursor} is null. False when the run is no longer at {@code cursor} (another process moved it).
     */
    @Transactional
    public boolean recordPage(SyncRun run, String cursor, String nextCursor, long records, long newEvents, long rejected,
                              Instant highWater, String owner) {
        String resource = run.currentResource();
        boolean resourceDone = nextCursor == null;
        var now = SqlTime.of(clock.instant());
        int moved = jdbc.update("UPDATE whop_sync_run SET resource_index = resource_index + ?, page_cursor = ?, "
                        + "high_water = CASE WHEN high_water IS NULL OR high_water < ? THEN ? ELSE high_water END, updated_at = ? "
                        + "WHERE id = ? AND resource_index = ? AND page_cursor IS NOT DISTINCT FROM ? AND finished_at IS NULL" + HELD,
                resourceDone ? 1 : 0, nextCursor, SqlTime.of(highWater), SqlTime.of(highWater), now, run.id(),
                run.resourceIndex(), cursor, owner);
        if (moved == 0) {
            return false;
        }
        jdbc.update("UPDATE whop_sync_progress SET pages = pages + 1, records = records + ?, new_events = new_events + ?, "
                        + "rejected = rejected + ?, done = ? WHERE run_id = ? AND resource = ?",
                records, newEvents, rejected, resourceDone, run.id(), resource);
        return true;
    }

    /** Gives up the current resource of a run (its page could not be read) and moves to the next one. */
    @Transactional
    public void skipResource(SyncRun run, String error, String owner) {
        if (jdbc.update("UPDATE whop_sync_run SET resource_index = resource_index + 1, page_cursor = NULL, errors = errors + 1, "
                        + "last_error = ?, updated_at = ? WHERE id = ? AND resource_index = ?" + HELD,
                ErrorText.truncate(error), SqlTime.of(clock.instant()), run.id(), run.resourceIndex(), owner) == 0) {
            return;
        }
        jdbc.update("UPDATE whop_sync_progress SET errors = errors + 1 WHERE run_id = ? AND resource = ?",
                run.id(), run.currentResource());
    }

    /** An unfinished state: PAUSED, WAITING or RUNNING, with the reason, unless another process holds the run now. */
    public boolean setStatus(String id, String status, String lastError, String owner) {
        return jdbc.update("UPDATE whop_sync_run SET status = ?, last_error = COALESCE(?, last_error), updated_at = ? "
                + "WHERE id = ? AND finished_at IS NULL" + HELD, status, ErrorText.truncate(lastError), SqlTime.of(clock.instant()),
                id, owner) == 1;
    }

    /** Remembers the latest problem while retries go on. */
    public void noteError(String id, String error) {
        jdbc.update("UPDATE whop_sync_run SET last_error = ?, updated_at = ? WHERE id = ?",
                ErrorText.truncate(error), SqlTime.of(clock.instant()), id);
    }

    /** Ends a run, unless another process holds it now; its mode is free for the next one. */
    public boolean finish(String id, String status, String lastError, String owner) {
        var now = SqlTime.of(clock.instant());
        return jdbc.update("UPDATE whop_sync_run SET status = ?, active_mode = NULL, finished_at = ?, updated_at = ?, "
                        + "errors = errors + ?, last_error = COALESCE(?, last_error) WHERE id = ? AND finished_at IS NULL" + HELD,
                status, now, now, SyncRun.FAILED.equals(status) ? 1 : 0, ErrorText.truncate(lastError), id, owner) == 1;
    }

    public List<ResourceProgress> progress(String runId) {
        Map<String, ResourceProgress> byResource = new LinkedHashMap<>();
        jdbc.query("SELECT resource, pages, records, new_events, rejected, errors, done FROM whop_sync_progress WHERE run_id = ?",
                rs -> {
                    byResource.put(rs.getString("resource"), new ResourceProgress(rs.getString("resource"), rs.getInt("pages"),
                            rs.getLong("records"), rs.getLong("new_events"), rs.getLong("rejected"), rs.getInt("errors"),
                            rs.getBoolean("done")));
                }, runId);
        return find(runId).map(run -> run.resources().stream().map(byResource::get).filter(p -> p != null).toList())
                .orElse(List.copyOf(byResource.values()));
    }

    /** Records per resource in the newest completed full run: what a new full run expects, for its ETA. */
    public Map<String, Long> lastFullRunRecords() {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("SELECT p.resource, p.records FROM whop_sync_progress p WHERE p.run_id = (SELECT id FROM whop_sync_run "
                        + "WHERE sync_mode = 'full' AND status IN ('COMPLETED', 'COMPLETED_WITH_ERRORS') ORDER BY finished_at DESC LIMIT 1)",
                rs -> {
                    counts.put(rs.getString("resource"), rs.getLong("records"));
                });
        return counts;
    }

    public Optional<Instant> watermark(String resource) {
        return jdbc.query("SELECT high_water FROM whop_sync_watermark WHERE resource = ?",
                (rs, n) -> SqlTime.read(rs, "high_water"), resource).stream().findFirst();
    }

    /** Moves a resource's watermark forward (never back) to the newest change a completed run saw. */
    @Transactional
    public void advanceWatermark(String resource, Instant highWater, String runId) {
        var now = SqlTime.of(clock.instant());
        int updated = jdbc.update("UPDATE whop_sync_watermark SET high_water = ?, run_id = ?, updated_at = ? "
                + "WHERE resource = ? AND high_water < ?", SqlTime.of(highWater), runId, now, resource, SqlTime.of(highWater));
        if (updated == 0) {
            jdbc.update("INSERT INTO whop_sync_watermark (resource, high_water, run_id, updated_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT DO NOTHING", resource, SqlTime.of(highWater), runId, now);
        }
    }
}
