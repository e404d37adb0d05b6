package io.sluice.config;

import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * Which database Sluice runs on, as its JDBC driver names it (whatever wraps the URL): what the status shows, and
 * whether it is the PostgreSQL that replicas share (shared request budgets, lock timeouts).
 */
@Component
public class DatabaseProduct {

    private final String name;

    public DatabaseProduct(DataSource dataSource) {
        this.name = productName(dataSource);
    }

    /** The driver's name for it ({@code PostgreSQL}, {@code H2}). */
    public String name() {
        return name;
    }

    public boolean postgres() {
        return "PostgreSQL".equals(name);
    }

    private static String productName(DataSource dataSource) {
        try (var connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            // a guess would be worse than a failed start: on shared PostgreSQL taken for something else, every replica
            // would spend a CRM's whole budget on its own
            throw new IllegalStateException("could not ask the database which it is (" + e.getSQLState() + "); Sluice "
                    + "does not start without knowing whether its request budgets are shared", e);
        }
    }
}
