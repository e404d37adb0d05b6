package io.sluice.crm.local;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code local} CRM store for the admin API. */
@Component
public class LocalCrmReader {

    private final JdbcTemplate jdbc;

    public LocalCrmReader(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Map<String, Object>> people(String email, int limit) {
        return query("SELECT email, name, first_name, last_name, whop_user_id, lead_score, lead_score_reasons, source_updated_at, created_at, updated_at "
                + "FROM crm_person", "email", email == null ? null : email.trim().toLowerCase(java.util.Locale.ROOT), limit);
    }

    public List<Map<String, Object>> opportunities(String membershipId, int limit) {
        return query("SELECT membership_id, person_email, name, amount, currency, product, stage, renewal_date, "
                + "source_updated_at, last_event_id, created_at, updated_at FROM crm_opportunity", "membership_id", membershipId, limit);
    }

    public List<Map<String, Object>> notes(String personEmail, int limit) {
        return query("SELECT external_id, person_email, membership_id, text, source_updated_at, last_event_id, created_at, updated_at "
                + "FROM crm_note", "person_email", personEmail == null ? null : personEmail.trim().toLowerCase(java.util.Locale.ROOT), limit);
    }

    /** How many people, opportunities and notes the local store holds. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("people", jdbc.queryForObject("SELECT COUNT(*) FROM crm_person", Long.class));
        counts.put("opportunities", jdbc.queryForObject("SELECT COUNT(*) FROM crm_opportunity", Long.class));
        counts.put("notes", jdbc.queryForObject("SELECT COUNT(*) FROM crm_note", Long.class));
        return counts;
    }

    private List<Map<String, Object>> query(String select, String filterColumn, String filterValue, int limit) {
        List<Object> args = new ArrayList<>();
        String sql = select;
        if (filterValue != null) {
            sql += " WHERE " + filterColumn + " = ?";
            args.add(filterValue);
        }
        sql += " ORDER BY created_at DESC LIMIT ?";
        args.add(limit);
        return jdbc.query(sql, (rs, n) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            var meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String column = meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                Object value = column.endsWith("_at") || column.endsWith("_date")
                        ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i);
                row.put(camelCase(column), value);
            }
            return row;
        }, args.toArray());
    }

    private static String camelCase(String column) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
