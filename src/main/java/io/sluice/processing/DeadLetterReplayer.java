package io.sluice.processing;

import io.sluice.store.DeadLetterReplayHandler;

import io.sluice.event.EventStatus;
import io.sluice.store.DeadLetter;
import io.sluice.store.DeadLetterStore;
import io.sluice.inbox.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Optional;

/** Puts dead letters back in the inbox; the idempotent consumer keeps a replay from applying anything twice. */
@Service
public class DeadLetterReplayer {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);

    private final DeadLetterStore deadLetters;
    private final EventLog eventLog;
    private final TransactionTemplate transaction;
    private final List<DeadLetterReplayHandler> handlers;

    public DeadLetterReplayer(DeadLetterStore deadLetters, EventLog eventLog, TransactionTemplate transaction,
                              List<DeadLetterReplayHandler> handlers) {
        this.deadLetters = deadLetters;
        this.eventLog = eventLog;
        this.transaction = transaction;
        this.handlers = handlers;
    }

    /** Replays one dead letter; empty if it does not exist, false if it was already replayed. */
    public Optional<Boolean> replay(long id) {
        return transaction.execute(status -> replayInTransaction(id));
    }

    private Optional<Boolean> replayInTransaction(long id) {
        Optional<DeadLetter> deadLetter = deadLetters.find(id);
        if (deadLetter.isEmpty()) {
            return Optional.empty();
        }
        if (!deadLetters.markReplayed(id)) {
            return Optional.of(false);
        }
        for (DeadLetterReplayHandler handler : handlers) {
            if (handler.handles(deadLetter.get().eventType())) {
                String started = handler.replay(deadLetter.get());
                log.info("Dead letter {} ({}) replayed as {}", id, deadLetter.get().eventType(), started);
                return Optional.of(true);
            }
        }
        eventLog.resetRetries(deadLetter.get().eventId()); // a replay starts the retry horizon again
        eventLog.markStatus(deadLetter.get().eventId(), EventStatus.RECEIVED, "replayed from dead letter " + id);
        log.info("Event {} replayed from dead letter {}", deadLetter.get().eventId(), id);
        return Optional.of(true);
    }

    /** Replays every open dead letter, optionally of one event type; returns the ids replayed. */
    public List<Long> replayAll(String type) {
        return deadLetters.openIds(type).stream()
                .filter(id -> replay(id).orElse(false))
                .toList();
    }
}
