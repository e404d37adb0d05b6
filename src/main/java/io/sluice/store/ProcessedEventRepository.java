package io.sluice.store;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

import javax.sql.DataSource;

/**
 * Camel's JDBC idempotent repository on the {@code camel_messageprocessed} table (Flyway owns the schema). Its add
 * is one insert that leaves a key already there alone: in Camel 4.18.0 two concurrent adds of one key made the loser
 * throw a duplicate-key exception, and that loser is a duplicate, not a failure for the dead letters.
 */
public class ProcessedEventRepository extends JdbcMessageIdRepository {

    /** Remembers a key (processor name, key, time) unless it is remembered already; also the completions' statement. */
    public static final String INSERT_IF_ABSENT =
            "INSERT INTO camel_messageprocessed (processorname, messageid, createdat) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";

    public ProcessedEventRepository(DataSource dataSource, String processorName) {
        super(dataSource, processorName);
        setCreateTableIfNotExists(false);
    }

    /** Which of {@code keys} are remembered: {@link #contains} for a batch, in one statement. */
    public java.util.Set<String> containing(java.util.Collection<String> keys) {
        java.util.List<String> distinct = keys.stream().filter(java.util.Objects::nonNull).distinct().toList();
        if (distinct.isEmpty()) {
            return java.util.Set.of();
        }
        // one lookup of the whole key per id: with an IN list a planner that still counts the table as empty (it grew
        // since it was last analyzed) reads every key of the processor instead, tens of milliseconds a batch
        java.util.List<Object> args = new java.util.ArrayList<>();
        for (String key : distinct) {
            args.add(getProcessorName());
            args.add(key);
        }
        String lookup = "SELECT messageid FROM camel_messageprocessed WHERE processorname = ? AND messageid = ?";
        return new java.util.HashSet<>(getJdbcTemplate().queryForList(String.join(" UNION ALL ",
                java.util.Collections.nCopies(distinct.size(), lookup)), String.class, args.toArray()));
    }

    /**
     * One statement, not Camel's look-up and then insert: by the time the idempotent consumer adds a key, the
     * transaction that marked its event done has usually stored it (EventLog), and the look-up was a second query of
     * the table per event. A key already there (also one a concurrent add stored first) is "already present".
     */
    @Override
    public boolean add(String key) {
        return getJdbcTemplate().update(INSERT_IF_ABSENT, getProcessorName(), key, new java.sql.Timestamp(System.currentTimeMillis())) == 1;
    }
}
