package io.sluice.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL at {@code SLUICE_TEST_POSTGRES_URL} as several Sluice processes share it: the settings that point a
 * {@link SluiceProcess} at one schema of it, and a plain connection for a test to look at or reset that schema.
 */
public final class SharedPostgres {

    private SharedPostgres() {
    }

    /** {@code name=value} settings for a replica on {@code schema} (a shared database needs the encryption key). */
    public static List<String> replicaSettings(String schema) {
        List<String> settings = new ArrayList<>(List.of(
                "spring.datasource.url=" + System.getenv("SLUICE_TEST_POSTGRES_URL"),
                "spring.datasource.username=" + user(),
                "spring.datasource.hikari.schema=" + schema, "spring.flyway.schemas=" + schema,
                // beside the other test JVMs' contexts, within PostgreSQL's 100 connections (support/OnPostgres)
                "spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.idle-timeout=10000",
                "sluice.encryption-key=" + TestKeys.ENCRYPTION_KEY));
        if (!password().isEmpty()) {
            settings.add("spring.datasource.password=" + password());
        }
        return settings;
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(System.getenv("SLUICE_TEST_POSTGRES_URL"), user(), password());
    }

    /** Drops {@code schema} and all in it: the replicas' Flyway makes it again. */
    public static void dropSchema(String schema) throws SQLException {
        try (Connection connection = connect(); Statement sql = connection.createStatement()) {
            sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    public static String user() {
        return System.getenv().getOrDefault("SLUICE_TEST_POSTGRES_USER", "postgres");
    }

    public static String password() {
        String password = System.getenv("SLUICE_TEST_POSTGRES_PASSWORD");
        return password == null ? "" : password;
    }
}
