package io.sluice.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.time.LocalDate;
import java.util.List;

/** AI token usage per day, provider, model and operation (table {@code ai_usage}). */
@Repository
public class AiUsageStore {

    /** One row of the ledger. */
    public record Usage(LocalDate day, String provider, String model, String operation, long calls, long inputTokens,
                        long outputTokens, long cachedTokens) {
    }

    private final JdbcTemplate jdbc;

    public AiUsageStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public void add(LocalDate day, String provider, String model, String operation, long input, long output, long cached) {
        add(day, provider, model, operation, 1, input, output, cached);
    }

    /** {@code calls} calls at once, with their tokens summed. */
    @Transactional
    public void add(LocalDate day, String provider, String model, String operation, long calls, long input, long output, long cached) {
        jdbc.update("INSERT INTO ai_usage (usage_day, provider, model, operation) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                day, provider, model, operation);
        jdbc.update("UPDATE ai_usage SET calls = calls + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, "
                + "cached_tokens = cached_tokens + ? WHERE usage_day = ? AND provider = ? AND model = ? AND operation = ?",
                calls, input, output, cached, day, provider, model, operation);
    }

    /** Tokens (input + output) spent on a day, by every model provider. */
    public long tokensOn(LocalDate day) {
        Long total = jdbc.queryForObject("SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM ai_usage WHERE usage_day = ?",
                Long.class, day);
        return total == null ? 0 : total;
    }

    public List<Usage> on(LocalDate day) {
        return jdbc.query("SELECT usage_day, provider, model, operation, calls, input_tokens, output_tokens, cached_tokens FROM ai_usage "
                        + "WHERE usage_day = ? ORDER BY provider, model, operation",
                (rs, n) -> new Usage(rs.getObject("usage_day", LocalDate.class), rs.getString("provider"), rs.getString("model"),
                        rs.getString("operation"), rs.getLong("calls"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                        rs.getLong("cached_tokens")), day);
    }
}
