package io.sluice.support;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.test.context.TestPropertySource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class against PostgreSQL at {@code SLUICE_TEST_POSTGRES_URL} (set by .ci/run); without the variable the
 * class is skipped. With it set, an unreachable database fails the tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
@TestPropertySource(properties = {
        "spring.datasource.url=${SLUICE_TEST_POSTGRES_URL}",
        "spring.datasource.username=${SLUICE_TEST_POSTGRES_USER:postgres}",
        "spring.datasource.password=${SLUICE_TEST_POSTGRES_PASSWORD:}",
        // a shared database needs the key given (a test value, not a secret)
        "sluice.encryption-key=" + TestKeys.ENCRYPTION_KEY,
        // test JVMs run side by side (see TestFork): each has a schema of its own, created by Flyway
        "spring.datasource.hikari.schema=sluice_f${sluice.test.fork:0}",
        "spring.flyway.schemas=sluice_f${sluice.test.fork:0}",
        // cached contexts of three test JVMs and the replica processes share PostgreSQL's 100 connections: a context
        // keeps only the connections it uses (Hikari's default keeps the whole pool open)
        "spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.idle-timeout=10000"})
public @interface OnPostgres {
}
