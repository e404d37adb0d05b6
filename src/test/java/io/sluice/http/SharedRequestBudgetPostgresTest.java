package io.sluice.http;

import com.zaxxer.hikari.HikariDataSource;
import io.sluice.support.SharedPostgres;
import io.sluice.support.TestFork;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two budgets of one provider on one PostgreSQL, as two replicas hold them, each used by two threads as fast as
 * permits come: the calls, counted when they arrive (a while after their permits), stay within one budget in every
 * window.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class SharedRequestBudgetPostgresTest {

    private static final String SCHEMA = TestFork.schema("sluice_budget_unit");
    private static final int LIMIT = 5;
    private static final Duration WINDOW = Duration.ofMillis(500);

    private final List<HikariDataSource> pools = new ArrayList<>();

    @BeforeEach
    void emptySchema() throws Exception {
        SharedPostgres.dropSchema(SCHEMA);
    }

    @AfterEach
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void twoReplicasSendNoMoreThanOneBudgetInAnyWindow() throws Exception {
        List<Long> sentAt = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            RequestBudget first = budget();
            RequestBudget second = budget();
            List<Future<?>> work = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            for (RequestBudget replica : List.of(first, second, first, second)) {
                work.add(threads.submit(() -> {
                    while (System.nanoTime() < until) {
                        RequestBudget.Permit permit = replica.acquire();
                        // the provider counts a call when it arrives, some time after its permit
                        Thread.sleep(ThreadLocalRandom.current().nextInt(40));
                        sentAt.add(System.nanoTime());
                        replica.sent(permit);
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } finally {
            threads.shutdownNow();
        }
        List<Long> sorted = new ArrayList<>(sentAt);
        Collections.sort(sorted);
        assertThat(sorted.size()).as("calls sent in 3 s").isGreaterThan(3 * LIMIT);
        for (int i = 0; i + LIMIT < sorted.size(); i++) {
            assertThat(sorted.get(i + LIMIT) - sorted.get(i)).as("the time from call %d to the one %d later", i, LIMIT)
                    .isGreaterThanOrEqualTo(WINDOW.toNanos());
        }
    }

    private RequestBudget budget() {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(System.getenv("SLUICE_TEST_POSTGRES_URL"));
        dataSource.setUsername(SharedPostgres.user());
        dataSource.setPassword(SharedPostgres.password());
        dataSource.setSchema(SCHEMA);
        dataSource.setMaximumPoolSize(2);
        pools.add(dataSource);
        Flyway.configure().dataSource(dataSource).schemas(SCHEMA).load().migrate();
        return new SharedRequestBudget("crm-test", LIMIT, WINDOW, Duration.ofSeconds(10), new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }
}
