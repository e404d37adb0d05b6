package io.sluice.processing;

import io.sluice.crm.CrmQuotaExhaustedException;
import io.sluice.event.EventStatus;
import io.sluice.inbox.EventLog;
import io.sluice.store.PauseStore;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Camel step for an exhausted CRM quota (HubSpot's DAILY limit, say): pauses the {@code crm} target with the
 * reason, and puts the event back in the inbox, where it waits with the others until an operator lifts the pause.
 */
@Component("crmQuotaPause")
public class CrmQuotaPause {

    private static final Logger log = LoggerFactory.getLogger(CrmQuotaPause.class);

    private final PauseStore pauses;
    private final EventLog eventLog;

    public CrmQuotaPause(PauseStore pauses, EventLog eventLog) {
        this.pauses = pauses;
        this.eventLog = eventLog;
    }

    /** Body in: the original message, the event id. */
    @Handler
    @Transactional
    public void pause(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        CrmQuotaExhaustedException cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, CrmQuotaExhaustedException.class);
        String reason = cause == null ? "the CRM's quota is spent" : cause.getMessage();
        if (pauses.pause("crm", reason)) {
            log.error("Paused the crm target: {}. Lift it with DELETE /api/pauses/crm once the quota resets", reason);
        }
        eventLog.markClaimEnded(id, EventStatus.RECEIVED, "waits for the crm pause to be lifted: " + reason);
    }
}
