package io.sluice.cluster;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.support.SharedPostgres;
import io.sluice.support.SluiceProcess;
import io.sluice.support.TestFork;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopApiStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Sluice processes on one PostgreSQL schema with scheduled pulls every second: only the replica holding the
 * database lock pulls, and when it is killed ({@code kill -9}, so it gives nothing up) the other takes the lead
 * within the lease, resumes the pull the dead one was in, and pulls on.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class PullLeaderPostgresTest {

    private static final String TOKEN = "leader-test-token-0123456789";
    private static final String SCHEMA = TestFork.schema("sluice_leader");

    private final WireMockServer whopServer = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    @TempDir
    Path dir;

    @BeforeEach
    void whopAndAnEmptySchema() throws Exception {
        whopServer.start();
        WhopApiStub whop = new WhopApiStub(whopServer);
        for (String resource : List.of("memberships", "members", "payments")) {
            whop.pages(resource, List.of(), 10);
        }
        SharedPostgres.dropSchema(SCHEMA);
    }

    @AfterEach
    void stopWhop() {
        whopServer.stop();
    }

    @Test
    void onlyTheLeaderPullsAndAnotherLeadsWithinTheLeaseWhenItIsKilled() throws Exception {
        try (SluiceProcess a = replica("a"); SluiceProcess b = replica("b")) {
            a.start();
            b.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> leads(a) != leads(b));
            SluiceProcess leader = leads(a) ? a : b;
            SluiceProcess other = leader == a ? b : a;
            String leaderName = leader == a ? "replica-a" : "replica-b";
            String otherName = leader == a ? "replica-b" : "replica-a";

            await().atMost(Duration.ofSeconds(30)).until(() -> runsBy().values().stream().mapToInt(Integer::intValue).sum() >= 4);
            assertThat(runsBy()).as("pulls, by the replica that made them").containsOnlyKeys(leaderName);
            assertThat(leads(other)).isFalse();
            assertThat(metric(leader)).isEqualTo("1.0");
            assertThat(metric(other)).isEqualTo("0.0");

            leader.kill();
            long killedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> leads(other));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
            // a lease of 3 s, renewed every 600 ms: the lock is free 3 s after the last renewal
            assertThat(takeover).as("time until another replica leads").isLessThan(Duration.ofSeconds(10));

            await().atMost(Duration.ofSeconds(30)).until(() -> runsBy().getOrDefault(otherName, 0) >= 2);
            // the pull the killed replica held is finished by the survivor once its lease ran out
            await().atMost(Duration.ofSeconds(30)).until(() -> unfinishedHeldBy(leaderName) == 0);
            assertThat(Files.readString(dir.resolve((leader == a ? "a" : "b") + ".log")))
                    .contains("now leads whop-pulls");
        }
    }

    private SluiceProcess replica(String name) {
        List<String> settings = new ArrayList<>(List.of("sluice.data-dir=" + dir.resolve(name),
                "sluice.whop.webhook-secrets=" + Webhooks.SECRET, "sluice.admin.token=" + TOKEN, "sluice.routes.reload=false",
                "sluice.inbox.instance-id=replica-" + name, "sluice.inbox.lease=2s", "sluice.cluster.leader-lease=3s",
                "sluice.whop.api-base-url=" + new WhopApiStub(whopServer).baseUrl(),
                "sluice.whop.api-key=" + WhopApiStub.API_KEY, "sluice.whop.company-id=" + WhopApiStub.COMPANY,
                "sluice.whop.poll.enabled=true", "sluice.whop.poll.interval=PT1S", "sluice.whop.poll.check-interval=200",
                "sluice.ai.enrich-on=", "logging.level.io.sluice=INFO"));
        settings.addAll(SharedPostgres.replicaSettings(SCHEMA));
        return new SluiceProcess(dir.resolve(name + ".log"), settings);
    }

    private static boolean leads(SluiceProcess replica) throws Exception {
        return replica.getJson("/api/status", TOKEN).path("cluster").path("leadsPulls").asBoolean();
    }

    /** The value of {@code sluice_cluster_leader} the replica exports. */
    private static String metric(SluiceProcess replica) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + replica.port() + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(line -> line.matches("sluice_cluster_leader(\\{.*})? .*"))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElse("absent");
    }

    /** How many pulls each replica started or took over, by the name it holds them under. */
    private static Map<String, Integer> runsBy() throws Exception {
        Map<String, Integer> runs = new LinkedHashMap<>();
        try (Connection connection = SharedPostgres.connect(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT claimed_by, COUNT(*) FROM " + SCHEMA + ".whop_sync_run GROUP BY claimed_by")) {
            while (rows.next()) {
                runs.put(rows.getString(1), rows.getInt(2));
            }
        }
        return runs;
    }

    private static int unfinishedHeldBy(String name) throws Exception {
        try (Connection connection = SharedPostgres.connect(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM " + SCHEMA + ".whop_sync_run WHERE finished_at IS NULL "
                     + "AND claimed_by = '" + name + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
