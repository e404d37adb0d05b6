package io.sluice.crm;

import io.sluice.http.ApiFailures;

import java.time.Duration;

/** A CRM's failed calls as {@link CrmException}s, for the CRM's {@link io.sluice.http.ApiHttpClient}. */
public final class CrmFailures implements ApiFailures {

    public static final CrmFailures INSTANCE = new CrmFailures();

    private CrmFailures() {
    }

    @Override
    public RuntimeException retryable(String message, Duration retryAfter, Throwable cause) {
        return new CrmException(message, true, retryAfter);
    }

    @Override
    public RuntimeException rejected(String message) {
        return new CrmRejectedException(message);
    }

    @Override
    public RuntimeException rateLimited(String message, Duration retryAfter) {
        return new CrmRateLimitedException(message, retryAfter);
    }

    @Override
    public RuntimeException notSent(String message, Duration availableIn) {
        return new CrmRateLimitedException(message, availableIn, false);
    }

    @Override
    public RuntimeException credentialRejected(String message) {
        return new CrmCredentialRejectedException(message);
    }
}
