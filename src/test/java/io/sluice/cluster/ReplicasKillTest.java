package io.sluice.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.EmbeddedKafka;
import io.sluice.support.SharedPostgres;
import io.sluice.support.SluiceProcess;
import io.sluice.support.TestFork;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sluice processes on one PostgreSQL, on either transport, take {@value #EVENTS} signed payment webhooks spread over
 * two of them by senders that retry like Whop: the first is killed with {@code kill -9} mid-stream and started again,
 * and a third replica starts meanwhile, while the second has work in flight. On Kafka (a real broker in this JVM) the
 * broker also goes away for a while at ingress, and the killed replica is a consumer with records read but not
 * committed. Every acknowledged payment must be applied exactly once, counted by its CRM note (a note is added, never
 * upserted): none lost, none twice, no dead letters.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class ReplicasKillTest {

    private static final int EVENTS = 1000;
    /** Starting beside busy replicas on two shared cores takes a while. */
    private static final Duration STARTUP = Duration.ofSeconds(240);
    private static final String TOKEN = "replicas-kill-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when a test fails: the replicas' logs say what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void onTheJdbcInboxEveryAcknowledgedPaymentIsAppliedOnceAcrossAStartAndAKillNine() throws Exception {
        String schema = TestFork.schema("sluice_replicas_kill");
        SharedPostgres.dropSchema(schema);
        try (SluiceProcess a = replica("a", schema, List.of()); SluiceProcess b = replica("b", schema, List.of());
             SluiceProcess c = replica("c", schema, List.of())) {
            sendThroughAStartAndAKill(a, b, c, () -> { });
            assertEveryPaymentAppliedOnce(schema, c);
        }
    }

    @Test
    void onKafkaEveryAcknowledgedPaymentIsAppliedOnceAcrossABrokerOutageAStartAndAKillNine() throws Exception {
        String schema = TestFork.schema("sluice_replicas_kill_kafka");
        SharedPostgres.dropSchema(schema);
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopic("sluice.events", 4);
            List<String> onKafka = List.of("sluice.transport=kafka", "sluice.kafka.brokers=" + kafka.bootstrapServers(),
                    "sluice.kafka.send-timeout=2s",
                    // the group hands a killed consumer's partitions on after this; Kafka's default is 45 s
                    "sluice.kafka.properties.session.timeout.ms=10000");
            try (SluiceProcess a = replica("a", schema, onKafka); SluiceProcess b = replica("b", schema, onKafka);
                 SluiceProcess c = replica("c", schema, onKafka)) {
                sendThroughAStartAndAKill(a, b, c, () -> {
                    kafka.stop();
                    try {
                        HttpResponse<String> refused = Webhooks.sendSigned(b.port(), "msg_rk_outage", Instant.now().getEpochSecond(),
                                WhopSender.activation("msg_rk_outage", "mem_rk_outage"));
                        assertThat(refused.statusCode()).as("not accepted while Kafka is away").isEqualTo(503);
                        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                        Thread.sleep(3000); // the senders meet the outage too, and retry
                    } finally {
                        kafka.start();
                    }
                });
                assertEveryPaymentAppliedOnce(schema, c);
                try (Connection db = SharedPostgres.connect(); Statement sql = db.createStatement();
                     ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM " + schema + ".event_log WHERE id = 'msg_rk_outage'")) {
                    rows.next();
                    assertThat(rows.getLong(1)).as("the refused delivery was not kept").isZero();
                }
            }
        }
    }

    /**
     * Starts {@code a} and {@code b}, sends every payment to one of them, brings on the {@code outage} a tenth of the
     * way in, kills {@code a} a third of the way in, then starts {@code c} and {@code a} again side by side; returns
     * once every payment is acknowledged.
     */
    private static void sendThroughAStartAndAKill(SluiceProcess a, SluiceProcess b, SluiceProcess c, Outage outage) throws Exception {
        ObjectNode sample = (ObjectNode) JSON.readTree(Path.of("scripts/samples/payment-succeeded.json").toFile());
        a.start(STARTUP);
        b.start(STARTUP);
        List<WhopSender> senders = List.of(sender(a), sender(b));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String id = "msg_rk_" + i;
            byte[] body = payment(sample, id, i);
            WhopSender whop = senders.get(i % 2);
            answers.add(threads.submit(() -> {
                int status = whop.deliver(id, body, Duration.ofSeconds(180));
                if (status == 200 || status == 202) {
                    acknowledged.add(id);
                }
                return status;
            }));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= EVENTS / 10);
        outage.happen();
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= EVENTS / 3);
        a.kill();
        int acknowledgedAtTheKill = acknowledged.size();
        // a third replica starts while b has work in flight, and a comes back beside it; a's senders retry meanwhile
        ExecutorService starts = Executors.newFixedThreadPool(2);
        List<Future<Object>> started = List.of(
                starts.submit(() -> { c.start(STARTUP); return null; }),
                starts.submit(() -> { a.start(STARTUP); return null; }));
        for (Future<Object> start : started) {
            start.get();
        }
        starts.shutdown();
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isIn(200, 202);
        }
        threads.shutdown();
        assertThat(acknowledged).hasSize(EVENTS);
        assertThat(acknowledgedAtTheKill).as("the kill came mid-stream").isLessThan(EVENTS);
    }

    private static void assertEveryPaymentAppliedOnce(String schema, SluiceProcess replica) throws Exception {
        // on Kafka an acknowledged event may still be on its way to the inbox: done means all of them stored and applied
        await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
            JsonNode queue = replica.getJson("/api/status", TOKEN).path("queue");
            assertThat(queue.path("pending").asLong() + queue.path("waiting").asLong() + queue.path("processing").asLong())
                    .as("events still queued").isZero();
            assertThat(statuses(schema)).as("every event applied").containsExactly(Map.entry("DONE", (long) EVENTS));
        });
        assertThat(replica.getJson("/api/status", TOKEN).path("deadLetters").asLong()).isZero();
        Map<String, Long> notesPerPayment = new HashMap<>();
        try (Connection db = SharedPostgres.connect(); Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery("SELECT substring(text from 'payment (pay_rk_[0-9]+)'), COUNT(*) FROM "
                     + schema + ".crm_note WHERE text LIKE '%pay_rk_%' GROUP BY 1")) {
            while (rows.next()) {
                notesPerPayment.put(rows.getString(1), rows.getLong(2));
            }
        }
        assertThat(notesPerPayment).as("a note for every payment").hasSize(EVENTS);
        assertThat(notesPerPayment.values()).as("no payment noted twice").containsOnly(1L);
    }

    private static Map<String, Long> statuses(String schema) throws Exception {
        Map<String, Long> statuses = new HashMap<>();
        try (Connection db = SharedPostgres.connect(); Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery("SELECT status, COUNT(*) FROM " + schema + ".event_log WHERE id LIKE 'msg_rk_%' "
                     + "AND id <> 'msg_rk_outage' GROUP BY status")) {
            while (rows.next()) {
                statuses.put(rows.getString(1), rows.getLong(2));
            }
        }
        return statuses;
    }

    private static byte[] payment(ObjectNode sample, String id, int i) throws Exception {
        ObjectNode body = sample.deepCopy();
        body.put("id", id);
        ObjectNode data = (ObjectNode) body.path("data");
        data.put("id", "pay_rk_" + i);
        ((ObjectNode) data.path("membership")).put("id", "mem_rk_" + i);
        ((ObjectNode) data.path("user")).put("id", "user_rk_" + i).put("email", "rk" + i + "@example.com");
        return JSON.writeValueAsBytes(body);
    }

    private static WhopSender sender(SluiceProcess replica) {
        return new WhopSender(replica.port(), Duration.ofMillis(200), Duration.ofSeconds(3));
    }

    private SluiceProcess replica(String name, String schema, List<String> transport) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        List<String> arguments = new ArrayList<>(List.of("sluice.data-dir=" + data, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=" + TOKEN, "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.inbox.lease=3s", "sluice.ai.enrich-on=", "logging.level.io.sluice=WARN",
                // the same name across the restart, as a pod keeps its name: it takes back its own claims at once
                "sluice.inbox.instance-id=replica-" + name));
        arguments.addAll(SharedPostgres.replicaSettings(schema));
        arguments.addAll(transport);
        return new SluiceProcess(dir.resolve(name + ".log"), arguments);
    }

    /** What befalls the replicas' surroundings mid-stream, before the kill. */
    @FunctionalInterface
    private interface Outage {
        void happen() throws Exception;
    }
}
