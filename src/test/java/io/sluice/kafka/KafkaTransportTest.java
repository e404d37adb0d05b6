package io.sluice.kafka;

import io.sluice.support.EmbeddedKafka;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.SwitchableDataSource;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopSender;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sluice.transport=kafka} against a real broker in the test JVM: ingress answers only once Kafka has the
 * event, the consumer group stores it in the inbox and commits, and every accepted event is applied once, however
 * often it is delivered or read. A broker outage at ingress is answered 503 (nothing accepted) and readiness goes
 * down until the broker is back.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaTransportTest extends SluiceTestBase {

    private static final EmbeddedKafka KAFKA = new EmbeddedKafka().start();

    static {
        // the broker outlives this class's Spring context (closed after it, below), so that its clients stop first
        Runtime.getRuntime().addShutdownHook(new Thread(KAFKA::close));
        try {
            KAFKA.createTopic("sluice.events", 3);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Autowired
    CamelContext camel;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("sluice.transport", () -> "kafka");
        registry.add("sluice.kafka.brokers", KAFKA::bootstrapServers);
        registry.add("sluice.kafka.send-timeout", () -> "2s");
    }

    @Test
    void everyAcceptedEventIsAppliedOnceHoweverOftenItIsDeliveredOrRead() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertThat(deliver("msg_kafka_" + i, "mem_kafka_" + i).statusCode()).isEqualTo(202);
            if (i == 10) {
                // the consumer stops and starts again mid-stream, as in a rebalance: what it had read but not committed
                // is read again
                camel.getRouteController().stopRoute("kafka-inbox");
                camel.getRouteController().startRoute("kafka-inbox");
            }
        }
        // Whop delivers some of them again
        for (int i = 0; i < 5; i++) {
            assertThat(deliver("msg_kafka_" + i, "mem_kafka_" + i).statusCode()).isEqualTo(202);
        }

        await().atMost(Duration.ofSeconds(60)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_kafka_%' AND status = 'DONE'") == 30);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_kafka_%'") == 30);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id LIKE 'mem_kafka_%'")).isEqualTo(30);
        // each event stored once (its RECEIVED entry) and applied once (its DONE entry)
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE event_id LIKE 'msg_kafka_%' AND status = 'DONE'")).isEqualTo(30);
        assertThat(jdbc.queryForList("SELECT attempts FROM event_log WHERE id LIKE 'msg_kafka_%'", Integer.class)).containsOnly(1);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aBrokerOutageAtIngressIsAnswered503AndTheSameDeliveryIsAcceptedOnceKafkaIsBack() throws Exception {
        KAFKA.stop();
        try {
            Instant asked = Instant.now();
            HttpResponse<String> refused = deliver("msg_kafka_outage", "mem_kafka_outage");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).contains("not accepted");
            assertThat(Duration.between(asked, Instant.now())).as("answered within the send timeout").isLessThan(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(20)).until(() -> admin("GET", "/actuator/health/readiness", null).statusCode() == 503);
        } finally {
            KAFKA.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> admin("GET", "/actuator/health/readiness", null).statusCode() == 200);
        assertThat(deliver("msg_kafka_outage", "mem_kafka_outage").statusCode()).isEqualTo(202);
        awaitStatus("msg_kafka_outage", "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_kafka_outage'")).isEqualTo(1);
    }

    @Test
    void aDatabaseOutageLeavesIngressReadyAndTheAcceptedEventWaitsOnKafkaUntilTheInboxTakesIt() {
        ((SwitchableDataSource) dataSource).setDown(true);
        try {
            assertThat(admin("GET", "/actuator/health/readiness", null).statusCode()).as("ready without the database").isEqualTo(200);
            assertThat(deliver("msg_kafka_db_down", "mem_kafka_db_down").statusCode()).isEqualTo(202);
            // the consumer tries the record again and again meanwhile
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        } finally {
            ((SwitchableDataSource) dataSource).setDown(false);
        }
        awaitStatus("msg_kafka_db_down", "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_kafka_db_down'")).isEqualTo(1);
    }

    @Test
    void aRecordThatIsNoEventOrDoesNotFitIsKeptRejectedAndHoldsNothingUp() throws Exception {
        String tooLongType = "x".repeat(500);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            // one key, one partition: the delivery after them waits behind them
            producer.send(new ProducerRecord<>("sluice.events", "mem_kafka_poison", "not json {")).get();
            producer.send(new ProducerRecord<>("sluice.events", "mem_kafka_poison", "{\"id\":\"msg_kafka_too_long\",\"source\":\"whop\","
                    + "\"type\":\"" + tooLongType + "\",\"subjectKey\":\"mem_kafka_poison\",\"payload\":\"e30=\",\"status\":\"RECEIVED\"}")).get();
        }
        assertThat(deliver("msg_kafka_after_poison", "mem_kafka_poison").statusCode()).isEqualTo(202);

        awaitStatus("msg_kafka_after_poison", "DONE");
        assertThat(jdbc.queryForList("SELECT status FROM event_log WHERE id LIKE 'kafka:%'", String.class))
                .as("both records kept for operators").containsExactly("REJECTED", "REJECTED");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE id = 'msg_kafka_too_long'")).isZero();
    }

    @Test
    void theRecordsWaitingOnKafkaAreCountedUntilTheInboxHasThem() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> backlog() == 0);
        camel.getRouteController().stopRoute("kafka-inbox");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(deliver("msg_kafka_backlog_" + i, "mem_kafka_backlog_" + i).statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> backlog() == 3);
            assertThat(count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_kafka_backlog_%'")).isZero();
        } finally {
            camel.getRouteController().startRoute("kafka-inbox");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> backlog() == 0);
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE id LIKE 'msg_kafka_backlog_%'")).isEqualTo(3);
    }

    @Test
    void aDeliveryTheInboxCouldNotStoreIsRefusedBeforeItIsAcknowledged() {
        String id = "msg_kafka_nul";
        byte[] body = Webhooks.membershipBody(id, "mem_kafka_nul", "nul\\u0000@acme.example", "Nul Byte", "active", false,
                "2026-01-20T14:03:11.000Z").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> answer = Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), body);

        // the JDBC inbox on PostgreSQL refuses it at ingress: on Kafka the sender hears the same, not a 202 for an
        // event that could only become a rejected record later
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("NUL character");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE id = '" + id + "' OR id LIKE 'kafka:%'") == 0);
    }

    /** Last: the record it leaves waits, and holds its partition, until this class's context closes. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRecordInANewerReleasesFormatWaitsInsteadOfBeingJudged() throws Exception {
        org.apache.kafka.clients.producer.RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            written = producer.send(new ProducerRecord<>("sluice.events", "mem_kafka_future", "{\"format\":2,\"id\":\"msg_kafka_future\","
                    + "\"source\":\"whop\",\"type\":\"membership.activated\",\"subjectKey\":\"mem_kafka_future\","
                    + "\"payload\":\"e30=\",\"status\":\"RECEIVED\"}")).get();
        }
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE id = 'msg_kafka_future' OR id LIKE 'kafka:%'") == 0);
        // and it is not passed over: the group's committed offset on its partition has not moved beyond it
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers()))) {
            var partition = new org.apache.kafka.common.TopicPartition("sluice.events", written.partition());
            var committed = admin.listConsumerGroupOffsets("sluice").partitionsToOffsetAndMetadata().get().get(partition);
            assertThat(committed == null ? 0 : committed.offset()).isLessThanOrEqualTo(written.offset());
        }
    }

    /** {@code sluice_kafka_backlog} as a scrape reads it. */
    private double backlog() {
        return meters.get("sluice.kafka.backlog").gauge().value();
    }

    private HttpResponse<String> deliver(String id, String membershipId) {
        return Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), WhopSender.activation(id, membershipId));
    }
}
