package io.sluice.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gauge {@code sluice_kafka_backlog}: records on the topic that the consumer group has not stored in the inbox yet
 * (each partition's end offset less the group's committed one, or less its first offset before any commit). Events
 * accepted at ingress wait there while the database is away or the consumers fall behind, where
 * {@code sluice_inbox_pending} does not see them. Every replica reports the same group's backlog; it is read from the
 * brokers at most every {@value #FRESH_SECONDS} seconds, and is NaN while they do not answer.
 */
@Component
@ConditionalOnProperty(name = "sluice.transport", havingValue = "kafka")
class KafkaBacklog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaBacklog.class);
    static final long FRESH_SECONDS = 5;
    private static final int TIMEOUT_MILLIS = 2000;

    private final KafkaProperties kafka;
    private final Admin admin;
    private long readAtNanos;
    private double last = Double.NaN;

    KafkaBacklog(KafkaProperties kafka, MeterRegistry registry) {
        this.kafka = kafka;
        this.admin = Admin.create(kafka.clientSettings(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS)));
        Gauge.builder("sluice.kafka.backlog", this::records)
                .description("Records on the Kafka topic the consumer group has not stored in the inbox yet")
                .register(registry);
    }

    synchronized double records() {
        if (readAtNanos != 0 && System.nanoTime() - readAtNanos < TimeUnit.SECONDS.toNanos(FRESH_SECONDS)) {
            return last;
        }
        readAtNanos = System.nanoTime();
        try {
            last = read();
        } catch (Exception e) {
            log.debug("Kafka backlog not read: {}", e.getClass().getSimpleName());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            last = Double.NaN;
        }
        return last;
    }

    private long read() throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(kafka.topic())).allTopicNames()
                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).get(kafka.topic());
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
        topic.partitions().forEach(p -> {
            ends.put(new TopicPartition(kafka.topic(), p.partition()), OffsetSpec.latest());
            starts.put(new TopicPartition(kafka.topic(), p.partition()), OffsetSpec.earliest());
        });
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(kafka.groupId())
                .partitionsToOffsetAndMetadata().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(ends).all()
                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = admin.listOffsets(starts).all()
                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        long backlog = 0;
        for (TopicPartition partition : ends.keySet()) {
            OffsetAndMetadata done = committed.get(partition);
            long from = done != null ? done.offset() : start.get(partition).offset();
            backlog += Math.max(0, end.get(partition).offset() - from);
        }
        return backlog;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
