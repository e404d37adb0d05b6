package io.sluice.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;

/** The records each full Whop sync saw (id, update time, event), kept for reconciliation against the CRM. */
@Repository
public class SyncItemStore {

    /** One record as a full run saw it. {@code subject} is what the CRM keys it by (user id for members). */
    public record SyncItem(String recordId, String resource, String subject, Instant sourceUpdatedAt, String eventId) {
    }

    private final JdbcTemplate jdbc;

    public SyncItemStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the items of one page; a page seen again after a restart adds nothing. */
    public void insertAll(String runId, List<SyncItem> items) {
        jdbc.batchUpdate("INSERT INTO whop_sync_item (run_id, record_id, resource, subject, source_updated_at, event_id) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", items, items.size(), (ps, item) -> {
                    ps.setString(1, runId);
                    ps.setString(2, item.recordId());
                    ps.setString(3, item.resource());
                    ps.setString(4, item.subject());
                    ps.setObject(5, SqlTime.of(item.sourceUpdatedAt()));
                    ps.setString(6, item.eventId());
                });
    }

    /** The event a run stored for a record, so that a repair can apply that very record again. */
    public List<String> eventIds(String runId, List<String> recordIds) {
        if (recordIds.isEmpty()) {
            return List.of();
        }
        String placeholders = String.join(", ", java.util.Collections.nCopies(recordIds.size(), "?"));
        Object[] args = new Object[recordIds.size() + 1];
        args[0] = runId;
        for (int i = 0; i < recordIds.size(); i++) {
            args[i + 1] = recordIds.get(i);
        }
        return jdbc.queryForList("SELECT event_id FROM whop_sync_item WHERE run_id = ? AND record_id IN (" + placeholders
                + ") ORDER BY record_id", String.class, args);
    }

    /** Keeps the items of the newest {@code keep} full runs only. */
    public int pruneOlderThan(int keep) {
        List<String> keepIds = jdbc.queryForList("SELECT id FROM whop_sync_run WHERE sync_mode = 'full' "
                + "ORDER BY started_at DESC LIMIT ?", String.class, keep);
        if (keepIds.isEmpty()) {
            return 0;
        }
        String placeholders = String.join(", ", java.util.Collections.nCopies(keepIds.size(), "?"));
        return jdbc.update("DELETE FROM whop_sync_item WHERE run_id NOT IN (" + placeholders + ")", keepIds.toArray());
    }
}
