package io.sluice.deploy;

import io.sluice.SluiceApplication;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * During a rolling upgrade the first new replica migrates the shared database. A replica of the earlier release that
 * starts after that (a restart, a rescheduled pod) must refuse the schema it does not know rather than run on it.
 */
class RollingUpgradeTest {

    @Test
    void aReleaseOlderThanTheDatabaseRefusesToStartNamingTheLaterMigration() throws Exception {
        String url = "jdbc:h2:mem:upgrade-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
        // the later release: this release's migrations and one more
        Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration", "classpath:db/future").load().migrate();

        Path data = Files.createTempDirectory("sluice-upgrade");
        // as arguments: they come before application.yaml, as the environment does in a pod
        String[] settings = {"--spring.datasource.url=" + url, "--sluice.data-dir=" + data, "--server.port=0",
                "--sluice.routes.reload=false", "--sluice.whop.poll.enabled=false"};
        assertThatThrownBy(() -> {
            try (ConfigurableApplicationContext started = new SpringApplicationBuilder(SluiceApplication.class).run(settings)) {
                assertThat(started.isRunning()).isFalse();
            }
        }).rootCause().hasMessageContaining("9999");
    }
}
