package io.sluice.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Dead letters: open ones until an operator replays them. */
@Repository
public class DeadLetterStore {

    private static final String COLUMNS = "id, event_id, event_type, error, attempts, payload, created_at, replayed_at";
    private static final RowMapper<DeadLetter> ROW = (rs, n) -> new DeadLetter(rs.getLong("id"), rs.getString("event_id"),
            rs.getString("event_type"), rs.getString("error"), rs.getInt("attempts"), rs.getBytes("payload"),
            SqlTime.read(rs, "created_at"), SqlTime.read(rs, "replayed_at"));

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public DeadLetterStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public long record(String eventId, String eventType, String error, int attempts, byte[] payload) {
        var keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "INSERT INTO dead_letter (event_id, event_type, error, attempts, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    new String[]{"id"});
            ps.setString(1, eventId);
            ps.setString(2, eventType);
            ps.setString(3, error.length() > 4000 ? error.substring(0, 3999) + "…" : error);
            ps.setInt(4, attempts);
            ps.setBytes(5, payload);
            ps.setObject(6, SqlTime.of(clock.instant()));
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    public Optional<DeadLetter> find(long id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?", ROW, id).stream().findFirst();
    }

    /** Open dead letters, newest first; {@code before} is the id of the last item of the previous page. */
    public Page<DeadLetter> listOpen(String type, int limit, Long before) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dead_letter WHERE replayed_at IS NULL");
        List<Object> args = new ArrayList<>();
        if (type != null) {
            sql.append(" AND event_type = ?");
            args.add(type);
        }
        if (before != null) {
            sql.append(" AND id < ?");
            args.add(before);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit + 1);
        return Page.of(jdbc.query(sql.toString(), ROW, args.toArray()), limit, last -> Long.toString(last.id()));
    }

    public List<Long> openIds(String type) {
        return type == null
                ? jdbc.queryForList("SELECT id FROM dead_letter WHERE replayed_at IS NULL ORDER BY id", Long.class)
                : jdbc.queryForList("SELECT id FROM dead_letter WHERE replayed_at IS NULL AND event_type = ? ORDER BY id",
                Long.class, type);
    }

    /** Marks a dead letter replayed; false if it was not open (already replayed or unknown). */
    public boolean markReplayed(long id) {
        return jdbc.update("UPDATE dead_letter SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL",
                SqlTime.of(clock.instant()), id) == 1;
    }

    public long countOpen() {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL", Long.class);
        return count == null ? 0 : count;
    }
}
