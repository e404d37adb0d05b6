package io.sluice.store;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.dao.DuplicateKeyException;

import javax.sql.DataSource;

/**
 * Camel's JDBC idempotent repository on the {@code camel_messageprocessed} table (Flyway owns the schema).
 * In Camel 4.18.0 two concurrent adds of one key make the loser throw a duplicate-key exception; that loser
 * is a duplicate, not a failure, so it answers "already present" instead of sending the event to dead letters.
 */
public class ProcessedEventRepository extends JdbcMessageIdRepository {

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
        java.util.List<Object> args = new java.util.ArrayList<>();
        args.add(getProcessorName());
        args.addAll(distinct);
        return new java.util.HashSet<>(getJdbcTemplate().queryForList("SELECT messageid FROM camel_messageprocessed WHERE processorname = ? "
                + "AND messageid IN (" + String.join(", ", java.util.Collections.nCopies(distinct.size(), "?")) + ")", String.class, args.toArray()));
    }

    @Override
    public boolean add(String key) {
        try {
            return super.add(key);
        } catch (DuplicateKeyException e) {
            return false;
        }
    }
}
