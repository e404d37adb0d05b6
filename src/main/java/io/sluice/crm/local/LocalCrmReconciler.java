package io.sluice.crm.local;

import io.sluice.crm.CrmReconciler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Reconciles a full Whop sync with the local CRM by joining the run's records with the CRM tables, in the
 * database. Memberships are opportunities and payments notes (missing, or stale by source update time); members are
 * people by Whop user id (missing only: a person merges changes from several records, so its time says little).
 */
@Component
public class LocalCrmReconciler implements CrmReconciler {

    private record Target(String table, String join, String crmCount, boolean checksStale) {
    }

    private final JdbcTemplate jdbc;

    public LocalCrmReconciler(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String provider() {
        return "local";
    }

    @Override
    public Comparison compare(String runId, String resource, int sampleLimit) {
        Target target = target(resource);
        long whop = count("SELECT COUNT(*) FROM whop_sync_item i WHERE i.run_id = ? AND i.resource = ?", runId, resource);
        long notComparable = count("SELECT COUNT(*) FROM whop_sync_item i WHERE i.run_id = ? AND i.resource = ? "
                + "AND i.subject IS NULL", runId, resource);
        long crm = count(target.crmCount());
        long missingCount = count("SELECT COUNT(*) FROM whop_sync_item i WHERE " + missing(target), runId, resource);
        List<String> missing = ids("SELECT i.record_id FROM whop_sync_item i WHERE " + missing(target)
                + " ORDER BY i.record_id LIMIT ?", runId, resource, sampleLimit);
        long staleCount = 0;
        List<String> stale = List.of();
        if (target.checksStale()) {
            staleCount = count("SELECT COUNT(*) FROM whop_sync_item i JOIN " + target.table() + " c ON " + target.join()
                    + " WHERE " + staleCondition(), runId, resource);
            stale = ids("SELECT i.record_id FROM whop_sync_item i JOIN " + target.table() + " c ON " + target.join()
                    + " WHERE " + staleCondition() + " ORDER BY i.record_id LIMIT ?", runId, resource, sampleLimit);
        }
        return new Comparison(whop, crm, notComparable, missingCount, staleCount, missing, stale);
    }

    @Override
    public List<String> differing(String runId, String resource, int limit) {
        Target target = target(resource);
        List<String> ids = new ArrayList<>(ids("SELECT i.record_id FROM whop_sync_item i WHERE " + missing(target)
                + " ORDER BY i.record_id LIMIT ?", runId, resource, limit));
        if (target.checksStale() && ids.size() < limit) {
            ids.addAll(ids("SELECT i.record_id FROM whop_sync_item i JOIN " + target.table() + " c ON " + target.join()
                    + " WHERE " + staleCondition() + " ORDER BY i.record_id LIMIT ?", runId, resource, limit - ids.size()));
        }
        return ids;
    }

    private static Target target(String resource) {
        return switch (resource) {
            case "memberships" -> new Target("crm_opportunity", "c.membership_id = i.subject",
                    "SELECT COUNT(*) FROM crm_opportunity", true);
            case "payments" -> new Target("crm_note", "c.external_id = i.subject",
                    "SELECT COUNT(*) FROM crm_note WHERE external_id LIKE 'pay\\_%' ESCAPE '\\'", true);
            case "members" -> new Target("crm_person", "c.whop_user_id = i.subject",
                    "SELECT COUNT(*) FROM crm_person WHERE whop_user_id IS NOT NULL", false);
            default -> throw new IllegalArgumentException("no CRM counterpart for Whop resource '" + resource + "'");
        };
    }

    private static String missing(Target target) {
        return "i.run_id = ? AND i.resource = ? AND i.subject IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + target.table()
                + " c WHERE " + target.join() + ")";
    }

    private static String staleCondition() {
        return "i.run_id = ? AND i.resource = ? AND c.source_updated_at < i.source_updated_at";
    }

    private long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    private List<String> ids(String sql, Object... args) {
        return jdbc.queryForList(sql, String.class, args);
    }
}
