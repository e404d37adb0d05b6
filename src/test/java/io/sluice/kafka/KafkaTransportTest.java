package io.sluice.kafka;

import io.sluice.support.EmbeddedKafka;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopSender;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sluice.transport=kafka} against a real broker in the test JVM: ingress answers only once Kafka has the
 * event, the consumer group stores it in the inbox and commits, and every accepted event is applied once, however
 * often it is delivered or read. A broker outage at ingress is answered 503 (nothing accepted) and readiness goes
 * down until the broker is back.
 */
class KafkaTransportTest extends SluiceTestBase {

    private static final EmbeddedKafka KAFKA = new EmbeddedKafka().start();

    static {
        try {
            KAFKA.createTopic("sluice.events", 3);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Autowired
    CamelContext camel;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("sluice.transport", () -> "kafka");
        registry.add("sluice.kafka.brokers", KAFKA::bootstrapServers);
        registry.add("sluice.kafka.send-timeout", () -> "2s");
    }

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
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

    private HttpResponse<String> deliver(String id, String membershipId) {
        return Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), WhopSender.activation(id, membershipId));
    }
}
