package io.sluice.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaPropertiesTest {

    @Test
    void aClientSettingSluicesGuaranteesRestOnIsRefusedByName() {
        assertThatThrownBy(() -> kafka(Map.of("enable.auto.commit", "true", "auto.offset.reset", "latest",
                "security.protocol", "SASL_SSL")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[auto.offset.reset, enable.auto.commit]")
                .message().doesNotContain("security.protocol");
    }

    @Test
    void otherClientSettingsReachEveryClientUnderSluicesOwn() {
        KafkaProperties kafka = kafka(Map.of("security.protocol", "SASL_SSL", "session.timeout.ms", "10000"));

        Map<String, Object> settings = kafka.clientSettings(Map.of("acks", "all"));
        assertThat(settings).containsEntry("security.protocol", "SASL_SSL").containsEntry("session.timeout.ms", "10000")
                .containsEntry("acks", "all").containsEntry("bootstrap.servers", "broker-1:9092");
    }

    private static KafkaProperties kafka(Map<String, String> properties) {
        return new KafkaProperties("broker-1:9092", "sluice.events", "sluice", 1, Duration.ofSeconds(5), properties);
    }
}
