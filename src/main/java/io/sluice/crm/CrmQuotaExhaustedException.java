package io.sluice.crm;

/**
 * The CRM's quota for a long period is spent (HubSpot's DAILY limit, Zoho's 24-hour credits): retrying now only
 * burns what is left. The {@code crm} target is paused with this reason and the event goes back to the inbox.
 */
public class CrmQuotaExhaustedException extends CrmException {

    public CrmQuotaExhaustedException(String message) {
        super(message, false, null);
    }
}
