package io.sluice.kafka;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The route {@code kafka-inbox}: the consumer group's side of the Kafka transport. Each record is stored in the inbox
 * and only then its offset committed (Camel's manual commit), so a replica that dies between the two leaves the
 * record to be read again, never lost. While the inbox cannot store (the database is down), the record is tried again
 * on a growing delay for about a minute; then the consumer goes back to Kafka at the same offset (breakOnFirstError)
 * and tries again, for as long as the outage lasts. That return keeps the consumer in its group: one that does not
 * poll within {@code max.poll.interval.ms} (5 minutes) is dropped from it. The partition waits behind the record, in
 * order.
 */
@Component
@ConditionalOnProperty(name = "sluice.transport", havingValue = "kafka")
class KafkaInboxRoute extends RouteBuilder {

    private final KafkaProperties kafka;

    KafkaInboxRoute(KafkaProperties kafka) {
        this.kafka = kafka;
    }

    @Override
    public void configure() {
        // 0.5 + 1 + 2 + 4 + 8 + 16 + 16 + 16 s: about a minute on this thread, well within max.poll.interval.ms
        errorHandler(defaultErrorHandler().maximumRedeliveries(8).redeliveryDelay(500).useExponentialBackOff()
                .backOffMultiplier(2).maximumRedeliveryDelay(16_000).retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryAttempted(true).logExhausted(true).logStackTrace(false));

        // no kafkaManualCommitFactory: with it set, Camel 4.18 commits every record it reads, stored or not
        // pollOnError=RECONNECT: on an exception while polling (a broker coming back, a rebalance) the consumer is made
        // again and resumes at the committed offsets. The default (ERROR_HANDLER) seeks every partition it holds one
        // record on, and that record is never stored (CAMEL-23994, in Camel 4.18.0)
        // sluiceKafka: the kafka component with the brokers and client settings (KafkaComponentConfiguration), so that no
        // credential is in the endpoint's URI, which Hawtio and the route dumps show
        fromF("sluiceKafka:%s?groupId=%s&consumersCount=%d&autoOffsetReset=earliest&autoCommitEnable=false"
                + "&allowManualCommit=true&breakOnFirstError=true&pollOnError=RECONNECT&maxPollRecords=100"
                + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
                kafka.topic(), kafka.groupId(), kafka.consumers())
                .routeId("kafka-inbox")
                .description("Store each event accepted onto Kafka in the inbox, then commit its offset")
                .to("bean:kafkaInbox?method=store")
                .to("bean:kafkaInbox?method=commit")
                // a new event is claimed at once rather than at the next poll (routes/inbox-poll.camel.yaml)
                .to("bean:inboxWake?method=wake");
    }
}
