package io.sluice.processing;

import io.sluice.config.SluiceProperties;
import io.sluice.store.EventLog;
import io.sluice.store.PauseStore;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Camel step: claims waiting events from the JDBC inbox, unless the {@code crm} target is paused. */
@Component("inboxClaimer")
public class InboxClaimer {

    private static final Logger log = LoggerFactory.getLogger(InboxClaimer.class);

    private final EventLog eventLog;
    private final PauseStore pauses;
    private final int batchSize;
    private final Duration claimTimeout;
    private final Clock clock;
    private Instant nextStuckCheck = Instant.MIN;

    private final io.sluice.crm.CrmConnector crm;

    public InboxClaimer(EventLog eventLog, PauseStore pauses, SluiceProperties properties, Clock clock,
                        io.sluice.crm.CrmConnector crm) {
        this.crm = crm;
        this.eventLog = eventLog;
        this.pauses = pauses;
        this.batchSize = properties.inbox().batchSize();
        this.claimTimeout = properties.inbox().claimTimeout();
        this.clock = clock;
        int requeued = eventLog.requeueInterrupted();
        if (requeued > 0) {
            log.warn("Requeued {} events that were being processed when Sluice last stopped", requeued);
        }
    }

    @Handler
    public List<Claim> claim() {
        requeueStuckClaims();
        if (pauses.isPaused("crm")) {
            return List.of(); // paused work stays in the inbox
        }
        boolean crmBatches = crm.batchSize() > 1;
        // the ai kill switch holds enrichment requests in the inbox; everything else goes on
        String held = pauses.isPaused("ai") ? io.sluice.ai.AiEnrichment.SOURCE : null;
        return eventLog.claimReceived(batchSize, held).stream()
                .map(c -> new Claim(c.id(), crmBatches && io.sluice.whop.PulledRecordEvents.SOURCE.equals(c.source())))
                .toList();
    }

    /** Once a minute: events claimed longer than sluice.inbox.claim-timeout ago lost their exchange; claim them again. */
    private void requeueStuckClaims() {
        Instant now = clock.instant();
        if (now.isBefore(nextStuckCheck)) {
            return;
        }
        nextStuckCheck = now.plusSeconds(60);
        int requeued = eventLog.requeueClaimedBefore(now.minus(claimTimeout));
        if (requeued > 0) {
            log.warn("Requeued {} events claimed more than {} ago without an outcome", requeued, claimTimeout);
        }
    }
}
