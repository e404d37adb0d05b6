package io.sluice.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Kill switches, kept in the database so that they survive restarts and hold for every replica. */
@Repository
public class PauseStore {

    /** What can be paused. */
    public static final Set<String> TARGETS = Set.of("whop-poll", "crm", "ai", "esign");

    /** A paused target. */
    public record Pause(String target, String reason, Instant pausedAt) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public PauseStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Pauses a target; true if it was running until now. */
    public boolean pause(String target, String reason) {
        requireKnown(target);
        return jdbc.update("INSERT INTO pause (target, reason, paused_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                target, reason, SqlTime.of(clock.instant())) == 1;
    }

    /** Resumes a target; true if it was paused. */
    public boolean resume(String target) {
        requireKnown(target);
        return jdbc.update("DELETE FROM pause WHERE target = ?", target) == 1;
    }

    public boolean isPaused(String target) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM pause WHERE target = ?", Integer.class, target);
        return n != null && n > 0;
    }

    /** The targets paused now, in one query. */
    public Set<String> pausedTargets() {
        return Set.copyOf(jdbc.queryForList("SELECT target FROM pause", String.class));
    }

    public List<Pause> list() {
        return jdbc.query("SELECT target, reason, paused_at FROM pause ORDER BY target",
                (rs, n) -> new Pause(rs.getString("target"), rs.getString("reason"), SqlTime.read(rs, "paused_at")));
    }

    private static void requireKnown(String target) {
        if (!TARGETS.contains(target)) {
            throw new IllegalArgumentException("unknown pause target '" + target + "'; expected one of " + TARGETS.stream().sorted().toList());
        }
    }
}
