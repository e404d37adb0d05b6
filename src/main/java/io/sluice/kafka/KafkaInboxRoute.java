package io.sluice.kafka;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The route {@code kafka-inbox}: the consumer group's side of the Kafka transport. Each record is stored in the inbox
 * and only then its offset committed (Camel's manual commit), so a replica that dies between the two leaves the
 * record to be read again, never lost. While the inbox cannot store (the database is down), the record is tried again
 * on a growing delay, for as long as that lasts: waiting fixes it, and the partition keeps its order meanwhile.
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
        errorHandler(defaultErrorHandler().maximumRedeliveries(-1).redeliveryDelay(500).useExponentialBackOff()
                .backOffMultiplier(2).maximumRedeliveryDelay(30_000).retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryAttempted(true).logExhausted(true));

        // no kafkaManualCommitFactory: with it set, Camel 4.18 commits every record it reads, stored or not
        fromF("kafka:%s?brokers=RAW(%s)&groupId=%s&consumersCount=%d&autoOffsetReset=earliest&autoCommitEnable=false"
                + "&allowManualCommit=true&breakOnFirstError=true&maxPollRecords=100",
                kafka.topic(), kafka.brokers(), kafka.groupId(), kafka.consumers())
                .routeId("kafka-inbox")
                .description("Store each event accepted onto Kafka in the inbox, then commit its offset")
                .to("bean:kafkaInbox?method=store")
                .to("bean:kafkaInbox?method=commit")
                // a new event is claimed at once rather than at the next poll (routes/inbox-poll.camel.yaml)
                .to("seda:inbox-wake?size=1&discardWhenFull=true&waitForTaskToComplete=Never");
    }
}
