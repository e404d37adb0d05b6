package io.sluice.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The Kafka transport, with {@code sluice.transport=kafka} (docs/operations.md, "Kafka").
 *
 * @param brokers     the bootstrap servers, {@code host:port} separated by commas
 * @param topic       where ingress produces accepted events, keyed by their subject (one subject, one partition:
 *                    its events keep their order)
 * @param groupId     the consumer group every replica joins: each partition is stored by one replica at a time
 * @param consumers   consumers of this replica (at most the topic's partitions are busy across the group)
 * @param sendTimeout how long ingress waits for the brokers' acknowledgement before it answers 503
 */
@Validated
@ConfigurationProperties("sluice.kafka")
public record KafkaProperties(
        @DefaultValue("localhost:9092") @NotBlank String brokers,
        @DefaultValue("sluice.events") @NotBlank String topic,
        @DefaultValue("sluice") @NotBlank String groupId,
        @DefaultValue("1") @Min(1) int consumers,
        @DefaultValue("5s") @NotNull @DurationMin(seconds = 1) Duration sendTimeout) {
}
