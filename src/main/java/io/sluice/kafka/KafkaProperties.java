package io.sluice.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka transport, with {@code sluice.transport=kafka} (docs/operations.md, "Kafka").
 *
 * @param brokers     the bootstrap servers, {@code host:port} separated by commas
 * @param topic       where ingress produces accepted events, keyed by their subject (one subject, one partition:
 *                    its events keep their order)
 * @param groupId     the consumer group every replica joins: each partition is stored by one replica at a time
 * @param consumers   consumers of this replica (at most the topic's partitions are busy across the group)
 * @param sendTimeout how long ingress waits for the brokers' acknowledgement before it answers 503
 * @param properties  Kafka client settings for every client Sluice makes (producer, consumers, the readiness check),
 *                    such as {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}; never shown
 */
@Validated
@ConfigurationProperties("sluice.kafka")
public record KafkaProperties(
        @DefaultValue("localhost:9092") @NotBlank String brokers,
        @DefaultValue("sluice.events") @NotBlank String topic,
        @DefaultValue("sluice") @NotBlank String groupId,
        @DefaultValue("1") @Min(1) int consumers,
        @DefaultValue("5s") @NotNull @DurationMin(seconds = 1) Duration sendTimeout,
        Map<String, String> properties) {

    /**
     * Client settings Sluice sets itself, because its guarantees rest on them: an offset is committed only once its event
     * is stored, a send is acknowledged by every in-sync replica, the records are the bytes Sluice wrote. Camel applies
     * additional properties after its own consumer settings, so one of these given here would quietly win.
     */
    static final java.util.Set<String> SET_BY_SLUICE = java.util.Set.of("bootstrap.servers", "group.id",
            "enable.auto.commit", "auto.commit.interval.ms", "auto.offset.reset", "acks", "enable.idempotence",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer", "isolation.level");

    public KafkaProperties {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        java.util.List<String> refused = properties.keySet().stream().filter(SET_BY_SLUICE::contains).sorted().toList();
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("sluice.kafka.properties must not set " + refused + ": Sluice sets "
                    + "these itself (docs/operations.md, Kafka); brokers and group are sluice.kafka.brokers and group-id");
        }
    }

    /** The client settings: the connection's, then the given ones on top (security, timeouts, ...). */
    Map<String, Object> clientSettings(Map<String, Object> own) {
        Map<String, Object> settings = new HashMap<>(properties);
        settings.put("bootstrap.servers", brokers);
        settings.putAll(own); // what Sluice's guarantees rest on (acks, idempotence, commits) is not left to settings
        return settings;
    }
}
