package io.sluice.kafka;

import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.HashMap;

/**
 * The Camel component {@code sluiceKafka}: camel-kafka with the brokers and {@code sluice.kafka.properties} (security,
 * for one) set once here rather than in endpoint URIs, which Hawtio and route dumps show.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sluice.transport", havingValue = "kafka")
class KafkaComponentConfiguration {

    @Bean("sluiceKafka")
    KafkaComponent sluiceKafka(KafkaProperties kafka) {
        KafkaConfiguration configuration = new KafkaConfiguration();
        configuration.setBrokers(kafka.brokers());
        configuration.setAdditionalProperties(new HashMap<>(kafka.properties()));
        KafkaComponent component = new KafkaComponent();
        component.setConfiguration(configuration);
        return component;
    }
}
