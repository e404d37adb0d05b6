package io.sluice.crm;

import io.sluice.config.CrmProperties;
import io.sluice.config.InboxProperties;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leases of {@code crm_write_version} taken for a batch at once: what a batch holds, waits for and records. */
class CrmWriteVersionsTest {

    private static final Instant T1 = Instant.parse("2026-01-10T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-20T00:00:00Z");

    private JdbcTemplate jdbc;
    private CrmWriteVersions versions;
    private CrmWriteLeases leases;

    @BeforeEach
    void database() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "sluice.crm.write-lock-wait", "3s", "sluice.crm.write-lease", "3s")));
        versions = new CrmWriteVersions(jdbc, Clock.systemUTC(), binder.bindOrCreate("sluice.crm", CrmProperties.class),
                binder.bindOrCreate("sluice.inbox", InboxProperties.class));
        leases = new CrmWriteLeases(versions);
    }

    @AfterEach
    void stop() {
        versions.destroy();
    }

    @Test
    void aBatchTakesEveryLeaseReadsWhatWasWrittenAndGivesThemBack() {
        leases.run(() -> {
            Map<String, CrmWriteVersions.Written> people = versions.lockAll("twenty", "person", List.of("b@x.io", "a@x.io"));
            versions.writtenAll(List.of(new CrmWriteVersions.Write(people.get("a@x.io"), "id-a", T2, "e1"),
                    new CrmWriteVersions.Write(people.get("b@x.io"), "id-b", T1, "e2")));
            assertThat(lockedBy("a@x.io")).isNotNull().isEqualTo(lockedBy("b@x.io"));
            return null;
        });
        assertThat(lockedBy("a@x.io")).isNull();
        assertThat(lockedBy("b@x.io")).isNull();

        Map<String, CrmWriteVersions.Written> again = leases.run(() -> versions.lockAll("twenty", "person",
                List.of("a@x.io", "b@x.io", "c@x.io")));
        assertThat(again.get("a@x.io").remoteId()).isEqualTo("id-a");
        assertThat(again.get("a@x.io").acceptsChangeAt(T1)).isFalse(); // older than what was written
        assertThat(again.get("b@x.io").acceptsChangeAt(T1)).isTrue();
        assertThat(again.get("c@x.io").remoteId()).isNull();
    }

    @Test
    void aBatchWaitsForABusyKeyAndMeanwhileHoldsNothingPastIt() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> leases.run(() -> {
            versions.lock("twenty", "person", "b@x.io");
            held.countDown();
            await(release);
            return null;
        }));
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Map<String, CrmWriteVersions.Written>> batch = CompletableFuture.supplyAsync(() -> leases.run(() ->
                versions.lockAll("twenty", "person", List.of("a@x.io", "b@x.io", "c@x.io"))));
        Thread.sleep(300);
        assertThat(batch).isNotDone();
        String batchOwner = lockedBy("a@x.io");
        assertThat(batchOwner).isNotNull().isNotEqualTo(lockedBy("b@x.io")); // the run before the busy key is the batch's
        assertThat(lockedBy("c@x.io")).isNull(); // nothing past it: no lease held out of order

        release.countDown();
        other.get(5, TimeUnit.SECONDS);
        assertThat(batch.get(5, TimeUnit.SECONDS)).containsOnlyKeys("a@x.io", "b@x.io", "c@x.io");
        assertThat(lockedBy("b@x.io")).isNull();
    }

    @Test
    void aKeyBusyLongerThanTheLockWaitFailsTheBatchAndLeavesNoLeaseOfIt() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> leases.run(() -> {
            versions.lock("twenty", "opportunity", "mem_2");
            held.countDown();
            await(release);
            return null;
        }));
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        try {
            assertThatThrownBy(() -> leases.run(() -> versions.lockAll("twenty", "opportunity", List.of("mem_1", "mem_2"))))
                    .isInstanceOf(CrmRecordBusyException.class).hasMessageContaining("mem_2");
            assertThat(jdbc.queryForObject("SELECT locked_by FROM crm_write_version WHERE object_key = 'mem_1'", String.class)).isNull();
        } finally {
            release.countDown();
            other.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBatchWhoseLeaseWasTakenOverRecordsNothing() {
        assertThatThrownBy(() -> leases.run(() -> {
            Map<String, CrmWriteVersions.Written> people = versions.lockAll("twenty", "person", List.of("a@x.io"));
            // as if this write stalled past its lease and another write took the row over
            jdbc.update("UPDATE crm_write_version SET locked_by = 'someone-else' WHERE object_key = 'a@x.io'");
            versions.writtenAll(List.of(new CrmWriteVersions.Write(people.get("a@x.io"), "id-a", T2, "e1")));
            return null;
        })).isInstanceOf(CrmRecordBusyException.class).hasMessageContaining("lapsed");
        assertThat(jdbc.queryForObject("SELECT remote_id FROM crm_write_version WHERE object_key = 'a@x.io'", String.class)).isNull();
    }

    private String lockedBy(String key) {
        return jdbc.queryForObject("SELECT locked_by FROM crm_write_version WHERE object_type = 'person' AND object_key = ?",
                String.class, key);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
