package io.sluice.inbox;

import io.sluice.store.PauseStore;
import io.sluice.store.DeadLetterStore;
import io.sluice.event.EventStatus;
import io.sluice.status.StatusContributor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The inbox in the status: the kill switches on, what waits and for how long, the open dead letters. */
@Component
@Order(10)
class InboxStatus implements StatusContributor {

    private final EventLog eventLog;
    private final DeadLetterStore deadLetters;
    private final PauseStore pauses;
    private final Clock clock;

    InboxStatus(EventLog eventLog, DeadLetterStore deadLetters, PauseStore pauses, Clock clock) {
        this.eventLog = eventLog;
        this.deadLetters = deadLetters;
        this.pauses = pauses;
        this.clock = clock;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        status.put("pauses", pauses.list());
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("pending", eventLog.countByStatus(EventStatus.RECEIVED));
        queue.put("waiting", eventLog.countByStatus(EventStatus.WAITING));
        queue.put("processing", eventLog.countByStatus(EventStatus.PROCESSING));
        Instant oldest = eventLog.oldestUnfinishedReceivedAt();
        queue.put("oldestReceivedAt", oldest);
        queue.put("oldestWaitSeconds", oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds()));
        queue.put("nextWaitingAttemptAt", eventLog.nextWaitingAttempt());
        status.put("queue", queue);
        status.put("deadLetters", deadLetters.countOpen());
    }
}
