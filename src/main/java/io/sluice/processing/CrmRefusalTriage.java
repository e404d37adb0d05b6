package io.sluice.processing;

import io.sluice.crm.CrmCredentialRejectedException;
import io.sluice.crm.CrmPreflight;
import io.sluice.crm.CrmRejectedException;
import io.sluice.event.EventStatus;
import io.sluice.inbox.EventLog;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Camel step for a write the CRM refused: checks the CRM again first. When the check now finds a problem (a key
 * revoked, a field removed after the last check), the refusal is the setup's fault, not the event's: the event goes
 * back to the inbox, where it waits with the others until the check passes. Otherwise it is a dead letter.
 */
@Component("crmRefusalTriage")
public class CrmRefusalTriage {

    /** Header: true when the event went back to the inbox instead of the dead letters. */
    public static final String HELD = "SluiceHeldByCrmCheck";
    private static final Logger log = LoggerFactory.getLogger(CrmRefusalTriage.class);

    private final CrmPreflight preflight;
    private final EventLog eventLog;

    public CrmRefusalTriage(CrmPreflight preflight, EventLog eventLog) {
        this.preflight = preflight;
        this.eventLog = eventLog;
    }

    /** Body in: the original message, the event id. */
    @Handler
    public void triage(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean held = cause instanceof CrmRejectedException && preflight.holdingEnabled()
                && preflight.recheckAfterRefusal(java.time.Instant.now(), cause instanceof CrmCredentialRejectedException).holdsEvents();
        exchange.getMessage().setHeader(HELD, held);
        if (held) {
            String id = exchange.getMessage().getBody(String.class);
            String reason = preflight.last().reason();
            log.warn("Event {} was refused by the CRM, whose check now fails ({}); it waits in the inbox", id, reason);
            eventLog.markClaimEnded(id, EventStatus.RECEIVED, "waits for the CRM check to pass: " + reason);
        }
    }
}
