package io.sluice.routes;

import io.sluice.SluiceApplication;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events acknowledged before a stop are processed after the restart, each exactly once, even one caught mid-processing. */
class RestartRecoveryTest {

    @TempDir
    Path dir;

    @Test
    void acceptedEventsSurviveARestartAndAreAppliedOnce() {
        String[] common = {"server.port=0", "sluice.data-dir=" + dir, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=restart-test-token", "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.ai.enrich-on=", "sluice.inbox.instance-id=restart-recovery"};

        try (ConfigurableApplicationContext first = start(common, "sluice.inbox.auto-start=false")) {
            int port = port(first);
            long now = Instant.now().getEpochSecond();
            for (int i = 0; i < 3; i++) {
                byte[] body = Webhooks.membershipBody("msg_restart" + i, "mem_restart" + i, "r" + i + "@example.com", "R", "active",
                        false, "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
                assertThat(Webhooks.sendSigned(port, "msg_restart" + i, now, body).statusCode()).isEqualTo(202);
            }
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_opportunity", Long.class)).isZero();
            // as if the process died while applying this one: the process started again under its name takes it back
            jdbc.update("UPDATE event_log SET status = 'PROCESSING', claimed_by = 'restart-recovery' WHERE id = 'msg_restart0'");
        }

        try (ConfigurableApplicationContext second = start(common)) {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'", Long.class) == 3);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_opportunity", Long.class)).isEqualTo(3);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM crm_person", Long.class)).isEqualTo(3);
            assertThat(jdbc.queryForList("SELECT attempts FROM event_log", Integer.class)).containsOnly(1);
        }
    }

    @Test
    void aRetryStillPendingWhenAStopRunsOutOfTimeStaysInTheInboxNotInTheDeadLetters() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // nothing listens here once it is closed: every CRM call fails to connect
        }
        String[] settings = {"server.port=0", "sluice.data-dir=" + dir, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=restart-test-token", "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.ai.enrich-on=", "sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=k",
                "sluice.crm.twenty.base-url=http://127.0.0.1:" + closedPort, "sluice.crm.check-holds-events=false",
                // the next quick retry is far off when the stop comes, and the stop may wait only a second for it
                "sluice.processing.max-redeliveries=3", "sluice.processing.redelivery-delay=60000", "camel.main.shutdown-timeout=1",
                // started again under its name, it takes back what the stop left claimed
                "sluice.inbox.instance-id=restart-recovery-stop"};
        JdbcTemplate jdbc;
        try (ConfigurableApplicationContext sluice = start(settings)) {
            jdbc = new JdbcTemplate(sluice.getBean(javax.sql.DataSource.class));
            byte[] body = Webhooks.membershipBody("msg_stop", "mem_stop", "stop@example.com", "S", "active", false,
                    "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
            assertThat(Webhooks.sendSigned(port(sluice), "msg_stop", Instant.now().getEpochSecond(), body).statusCode()).isEqualTo(202);
            JdbcTemplate live = jdbc;
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    live.queryForObject("SELECT attempts FROM event_log WHERE id = 'msg_stop'", Integer.class) >= 1);
        }
        try (ConfigurableApplicationContext again = start(settings, "sluice.inbox.auto-start=false")) {
            JdbcTemplate after = again.getBean(JdbcTemplate.class);
            assertThat(after.queryForObject("SELECT COUNT(*) FROM dead_letter", Long.class)).as("dead letters").isZero();
            assertThat(after.queryForObject("SELECT status FROM event_log WHERE id = 'msg_stop'", String.class)).isEqualTo("RECEIVED");
        }
    }

    private ConfigurableApplicationContext start(String[] common, String... extra) {
        // command-line arguments, so they win over application.yaml as an operator's would
        return new SpringApplicationBuilder(SluiceApplication.class).run(java.util.stream.Stream.concat(
                java.util.Arrays.stream(common), java.util.Arrays.stream(extra)).map(p -> "--" + p).toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
