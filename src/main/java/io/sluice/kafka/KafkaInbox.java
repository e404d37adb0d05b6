package io.sluice.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.CanonicalEvent;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.GroupCommitInbox;
import io.sluice.webhook.InboxWriter;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.sql.SQLException;

/**
 * The Kafka transport's consumer step: stores a record's event in the inbox, where the claimers of every replica
 * process it as any other, and then commits the record's offset. A record redelivered (its offset was not committed
 * before a crash or a rebalance) finds its event stored already and changes nothing. A record that waiting cannot make
 * storable (not an event, an event without its id, a value that does not fit its column) is kept as a REJECTED event
 * named after its partition and offset, for operators to see, and passed: it never holds its partition up.
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
        byte[] value = exchange.getMessage().getBody(byte[].class);
        CanonicalEvent event;
        try {
            JsonNode tree = value == null ? null : json.readTree(value);
            int format = tree == null ? EventRecord.FORMAT : tree.path("format").asInt(EventRecord.FORMAT);
            if (format > EventRecord.FORMAT) {
                // written by a newer release: it is not this one's to judge; it waits, uncommitted, for one that reads it
                throw new IllegalStateException("Kafka record " + where(exchange) + " is in format " + format
                        + ", newer than this release reads (" + EventRecord.FORMAT + "): it waits for a release that reads it");
            }
            EventRecord record = tree == null || tree.isNull() || tree.isMissingNode() ? null : json.treeToValue(tree, EventRecord.class);
            String missing = record == null ? "the record has no value" : record.missing();
            if (missing != null) {
                reject(exchange, value, "not an event record: " + missing);
                return;
            }
            event = record.event();
        } catch (IOException e) {
            reject(exchange, value, "not an event record: " + (e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage()));
            return;
        }
        try {
            if (inbox.store(event)) {
                writer.recordStored(event);
            }
        } catch (DataIntegrityViolationException e) {
            if (e instanceof DuplicateKeyException || !isTheValuesFault(e)) {
                throw e;
            }
            reject(exchange, value, "a value in the event does not fit what Sluice stores (too long, out of range or missing)");
        }
        // anything else (the database away or busy) fails the exchange: the record is tried again, its offset uncommitted
    }

    /**
     * Commits the offset of the record just stored: it is in the inbox, durable, and will not be read again. A commit
     * the group refuses (this consumer lost the partition in a rebalance) is left to the partition's new owner, which
     * reads the record again and finds it stored.
     */
    public void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            return;
        }
        try {
            commit.commit();
        } catch (KafkaException e) {
            log.info("Kafka record {} is stored, but its offset could not be committed ({}); it will be read again and "
                    + "found stored", where(exchange), e.getClass().getSimpleName());
        }
    }

    private void reject(Exchange exchange, byte[] value, String reason) {
        String where = where(exchange);
        eventLog.recordRejected("kafka", "kafka:" + where, value == null ? new byte[0] : value, reason);
        log.warn("Kafka record {} kept as REJECTED: {}", where, reason);
    }

    private static String where(Exchange exchange) {
        return exchange.getMessage().getHeader(KafkaConstants.PARTITION) + "@" + exchange.getMessage().getHeader(KafkaConstants.OFFSET);
    }

    /** SQLState classes 22 (a value too long or out of range) and 23 (a constraint, such as not null): the value's fault. */
    private static boolean isTheValuesFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }
}
