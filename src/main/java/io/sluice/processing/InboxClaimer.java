package io.sluice.processing;

import io.sluice.config.SluiceProperties;
import io.sluice.store.EventLog;
import io.sluice.store.PauseStore;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.List;

/** Camel step: claims waiting events from the JDBC inbox, unless the {@code crm} target is paused. */
@Component("inboxClaimer")
public class InboxClaimer {

    private static final Logger log = LoggerFactory.getLogger(InboxClaimer.class);

    private final EventLog eventLog;
    private final PauseStore pauses;
    private final int batchSize;

    public InboxClaimer(EventLog eventLog, PauseStore pauses, SluiceProperties properties) {
        this.eventLog = eventLog;
        this.pauses = pauses;
        this.batchSize = properties.inbox().batchSize();
        int requeued = eventLog.requeueInterrupted();
        if (requeued > 0) {
            log.warn("Requeued {} events that were being processed when Sluice last stopped", requeued);
        }
    }

    @Handler
    public List<String> claim() {
        if (pauses.isPaused("crm")) {
            return List.of(); // paused work stays in the inbox
        }
        return eventLog.claimReceived(batchSize);
    }
}
