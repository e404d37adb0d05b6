package io.sluice.processing;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.sluice.ai.AiQuotaException;
import io.sluice.crm.CrmQuotaExhaustedException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.esign.ESignRejectedException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

import java.time.Duration;

/**
 * Which failures waiting can heal (a provider down, slow, rate-limiting, its breaker open; the database briefly
 * away), and how long the failure itself asked to wait. Everything else (a refused record or credential, a mapping
 * error, a data-integrity error, a bug) cannot heal by waiting and becomes a dead letter.
 */
final class TransientFailures {

    private TransientFailures() {
    }

    static boolean healsByWaiting(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CrmRejectedException || t instanceof CrmQuotaExhaustedException || t instanceof ESignRejectedException
                    || t instanceof AiQuotaException || t instanceof io.sluice.crm.CrmConflictException) {
                return false;
            }
            if (t instanceof io.sluice.http.RemoteCallFailure remote) { // a CRM's, an e-sign provider's, a model's
                return remote.retryable();
            }
            if (t instanceof CallNotPermittedException || t instanceof TransientDataAccessException
                    || t instanceof RecoverableDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof java.util.concurrent.RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }

    /** True when no call reached the provider (its breaker is open, or its budget, hold or record lease had none). */
    static boolean noCallMade(Throwable failure) {
        return inChain(failure, t -> t instanceof CallNotPermittedException
                || t instanceof io.sluice.http.RateLimited limited && !limited.reachedProvider());
    }

    /** The provider asked to slow down, or Sluice's budget for it (or a busy record) had no permit soon enough. */
    static boolean rateLimited(Throwable failure) {
        return inChain(failure, t -> t instanceof io.sluice.http.RateLimited);
    }

    static boolean breakerOpen(Throwable failure) {
        return inChain(failure, t -> t instanceof CallNotPermittedException);
    }

    /** The wait the provider asked for anywhere in the cause chain; null when none said. */
    static Duration askedWait(Throwable failure) {
        return FailedAttemptRecorder.retryAfter(failure);
    }

    private static boolean inChain(Throwable failure, java.util.function.Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }
}
