package io.sluice.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.CanonicalEvent;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.GroupCommitInbox;
import io.sluice.webhook.InboxWriter;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The Kafka transport's consumer step: stores a record's event in the inbox, where the claimers of every replica
 * process it as any other, and then commits the record's offset. A record redelivered (its offset was not committed
 * before a crash or a rebalance) finds its event stored already and changes nothing; one that is not an event is
 * kept as a REJECTED event, for operators to see, and passed.
 */
@Component("kafkaInbox")
@ConditionalOnProperty(name = "sluice.transport", havingValue = "kafka")
class KafkaInbox {

    private static final Logger log = LoggerFactory.getLogger(KafkaInbox.class);

    private final GroupCommitInbox inbox;
    private final EventLog eventLog;
    private final InboxWriter writer;
    private final ObjectMapper json;

    KafkaInbox(GroupCommitInbox inbox, EventLog eventLog, InboxWriter writer, ObjectMapper json) {
        this.inbox = inbox;
        this.eventLog = eventLog;
        this.writer = writer;
        this.json = json;
    }

    /** Body in: the record's value. Fails (and is retried, the offset uncommitted) while the inbox cannot store it. */
    public void store(Exchange exchange) {
        byte[] value = exchange.getMessage().getBody(String.class).getBytes(StandardCharsets.UTF_8);
        CanonicalEvent event;
        try {
            event = json.readValue(value, EventRecord.class).event();
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            String where = exchange.getMessage().getHeader(KafkaConstants.PARTITION) + "@" + exchange.getMessage().getHeader(KafkaConstants.OFFSET);
            eventLog.recordRejected("kafka", "kafka:" + where, value, "not an event record: " + reason);
            log.warn("Kafka record {} is not an event record; kept as REJECTED", where);
            return;
        }
        if (inbox.store(event)) {
            writer.recordStored(event);
        }
    }

    /** Commits the offset of the record just stored: it is in the inbox, durable, and will not be read again. */
    public void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
