package io.sluice.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.CanonicalEvent;
import io.sluice.inbox.EventIntake;
import io.sluice.webhook.WebhookRejection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka transport's ingress: each accepted event is produced to {@code sluice.kafka.topic} and the sender answered
 * only once the brokers acknowledged it with its offset ({@code acks=all}: every in-sync replica has it; the
 * idempotent producer never writes a retried send twice). When they have not within {@code sluice.kafka.send-timeout},
 * the sender is answered 503 and retries; nothing was accepted. The send is Kafka's own producer, waited on for its
 * record's metadata: an acknowledgement is the offset in hand, never the absence of an error.
 */
@Component
@ConditionalOnProperty(name = "sluice.transport", havingValue = "kafka")
class KafkaIntake implements EventIntake, AutoCloseable {

    /** The largest record ingress produces; the topic's {@code max.message.bytes} must allow it (docs/operations.md). */
    static final int MAX_RECORD_BYTES = 2 * 1024 * 1024;
    private static final int CHECK_TIMEOUT_MILLIS = 2000;

    private final ObjectMapper json;
    private final KafkaProperties kafka;
    private final Producer<String, String> producer;
    private final Admin admin;

    KafkaIntake(ObjectMapper json, KafkaProperties kafka) {
        this.json = json;
        this.kafka = kafka;
        int timeout = Math.toIntExact(kafka.sendTimeout().toMillis());
        this.producer = new KafkaProducer<>(kafka.clientSettings(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // the whole send, retries included; and the wait for the topic's metadata
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout,
                // a webhook body of sluice.webhook.max-body-bytes (1 MB), in base64 inside the record's JSON
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES)),
                new StringSerializer(), new StringSerializer());
        this.admin = Admin.create(kafka.clientSettings(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, CHECK_TIMEOUT_MILLIS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CHECK_TIMEOUT_MILLIS)));
    }

    /**
     * A broker answers, this client may use the topic, and a partition of it has a leader: what ingress produces now
     * can be acknowledged. A forbidden topic or one with no leader at all fails the check (the pod leaves the Service)
     * rather than answering every webhook 503. A topic not there yet passes: brokers that create topics on
     * first use make it with the first event.
     */
    @Override
    public Map<String, Object> check() throws Exception {
        int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(CHECK_TIMEOUT_MILLIS)).nodes()
                .get(CHECK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).size();
        TopicDescription topic;
        try {
            topic = admin.describeTopics(List.of(kafka.topic()), new DescribeTopicsOptions().timeoutMs(CHECK_TIMEOUT_MILLIS))
                    .allTopicNames().get(CHECK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).get(kafka.topic());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                // brokers that create topics on first use make it with the first event; others answer that event 503
                return Map.of("transport", "kafka", "brokers", brokers, "topic", "not there yet");
            }
            throw e; // not authorised for the topic, for one: nothing produced could be acknowledged
        }
        long leaderless = topic.partitions().stream().filter(p -> p.leader() == null || p.leader().isEmpty()).count();
        if (leaderless == topic.partitions().size()) {
            throw new IllegalStateException("no partition of " + kafka.topic() + " has a leader");
        }
        // some partitions without a leader refuse only their subjects' events: the others still go
        return Map.of("transport", "kafka", "brokers", brokers, "partitions", topic.partitions().size(),
                "partitionsWithoutLeader", leaderless);
    }

    @Override
    public Accepted accept(CanonicalEvent event) {
        EventRecord record = EventRecord.of(event);
        String unstorable = record.unstorable();
        if (unstorable != null) {
            throw new WebhookRejection(400, "invalid", "a value in the body does not fit what Sluice stores: " + unstorable);
        }
        String value;
        try {
            value = json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event " + event.id() + " as JSON", e);
        }
        try {
            RecordMetadata written = producer.send(new ProducerRecord<>(kafka.topic(), record.key(), value))
                    .get(kafka.sendTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (!written.hasOffset()) {
                throw new IntakeUnavailableException("Kafka answered event " + event.id() + " without an offset", null);
            }
            return Accepted.QUEUED;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                // waiting cannot fix it: the topic takes smaller records than sluice.webhook.max-body-bytes lets in
                throw new WebhookRejection(413, "too_large", "the event is larger than the Kafka topic " + kafka.topic()
                        + " takes (its max.message.bytes); it was not accepted");
            }
            throw unavailable(event, e.getCause());
        } catch (TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw unavailable(event, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(event, e);
        }
    }

    private IntakeUnavailableException unavailable(CanonicalEvent event, Throwable cause) {
        return new IntakeUnavailableException("Kafka did not acknowledge event " + event.id() + " on " + kafka.topic()
                + " within " + kafka.sendTimeout().toMillis() + " ms: " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
