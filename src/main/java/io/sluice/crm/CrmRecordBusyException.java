package io.sluice.crm;

import java.time.Duration;

/**
 * Another write of the same CRM record (a person, deal or note) held its lease longer than
 * {@code sluice.crm.write-lock-wait}: nothing was sent, the CRM is fine. The event waits in the inbox like a rate
 * limit does, without spending retries or counting towards the circuit breaker.
 */
public class CrmRecordBusyException extends CrmRateLimitedException {

    public CrmRecordBusyException(String message, Duration retryAfter) {
        super(message, retryAfter, false);
    }
}
