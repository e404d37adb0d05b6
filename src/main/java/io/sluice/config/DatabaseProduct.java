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

    /** The driver's name for it ({@code PostgreSQL}, {@code H2}), or {@code unknown} when it could not be asked. */
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
            return "unknown";
        }
    }
}
