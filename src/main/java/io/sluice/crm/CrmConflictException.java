package io.sluice.crm;

/**
 * The CRM refused a write in a way a concurrent writer can cause for a moment (the same email created by another
 * client at once): worth the quick redeliveries, but if it repeats, waiting longer will not fix it, so the event then
 * becomes a dead letter with this message instead of waiting for hours.
 */
public class CrmConflictException extends CrmException {

    public CrmConflictException(String message) {
        super(message, true, null);
    }
}
