package io.sluice.crm;

/**
 * The CRM refused the request for a reason waiting cannot fix: the credential (401/403) or the data (400/422,
 * with the provider's message). The event becomes a dead letter at once; fix the cause, then replay.
 */
public class CrmRejectedException extends CrmException {

    public CrmRejectedException(String message) {
        super(message, false, null);
    }
}
