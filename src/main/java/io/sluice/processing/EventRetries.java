package io.sluice.processing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.config.CrmProperties;
import io.sluice.event.EventStatus;
import io.sluice.inbox.EventLog;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Camel step for an event whose quick redeliveries are spent (route {@code event-retry-later}): when waiting can heal
 * the failure and the retry horizon has not passed, the event waits in the inbox ({@code WAITING}) for its next try;
 * otherwise it goes on to become a dead letter. Waits follow {@code sluice.processing.retry-schedule}; a rate limit
 * waits exactly what the provider asked, an open breaker until it lets a probe through, and neither moves the event
 * along its schedule (no call failed). When the breaker closes again every waiting event is due at once.
 */
@Component("eventRetries")
public class EventRetries {

    /** Header set by {@link #waitOrGiveUp}: true when the event now waits in the inbox. */
    public static final String WAITING = "SluiceWaiting";
    /** Property read by the dead-letter recorder: why the event stopped waiting. */
    public static final String GAVE_UP = "SluiceGaveUp";
    /**
     * How soon an event tries again when nothing says when: a half-open breaker lets only a few probes through, and a
     * rate limit that named no wait.
     */
    private static final Duration SHORT_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(EventRetries.class);

    private final EventLog eventLog;
    private final ProcessingProperties settings;
    private final Duration breakerWait;
    private final Duration longestStep;
    private final CircuitBreaker breaker;
    private final Clock clock;

    private final PulledInFlight pulledInFlight;

    public EventRetries(EventLog eventLog, ProcessingProperties settings, CrmProperties crm, CircuitBreaker crmCircuitBreaker, Clock clock,
                        PulledInFlight pulledInFlight) {
        this.pulledInFlight = pulledInFlight;
        this.eventLog = eventLog;
        this.settings = settings;
        this.breakerWait = crm.breaker().waitInOpenState();
        this.longestStep = settings.retrySchedule().stream().max(Duration::compareTo).orElseThrow();
        this.breaker = crmCircuitBreaker;
        this.clock = clock;
        crmCircuitBreaker.getEventPublisher().onStateTransition(transition -> {
            if (transition.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                int due = eventLog.makeWaitingDue();
                if (due > 0) {
                    log.info("The CRM answers again: {} waiting events are tried now", due);
                }
            }
        });
    }

    /** Body in: the original message, the event id. */
    @Handler
    public void waitOrGiveUp(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        pulledInFlight.finished(id); // back to the inbox (waiting or received), or on to the dead letters
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getMessage().setHeader(WAITING, false);
        if (stopping(exchange)) {
            // a pending retry cut short by a stop is no dead letter: the next start takes it again
            eventLog.markClaimEnded(id, EventStatus.RECEIVED, "Sluice stopped before the next try; taken again at the next start");
            exchange.getMessage().setHeader(WAITING, true);
            return;
        }
        if (!TransientFailures.healsByWaiting(cause)) {
            return;
        }
        Instant now = clock.instant();
        EventLog.Retries retries = eventLog.retries(id);
        // a rate limit, a busy record or an open breaker is no failed try of the event: it keeps its place in the
        // schedule, and only failed tries count towards the horizon (a backlog drained after a long outage, or paced
        // by a budget, never turns into dead letters for waiting its turn)
        boolean round = !TransientFailures.rateLimited(cause) && !TransientFailures.breakerOpen(cause);
        Duration failing = retries.failingSince() == null ? Duration.ZERO : Duration.between(retries.failingSince(), now);
        if (round && failing.compareTo(settings.retryHorizon()) >= 0) {
            exchange.setProperty(GAVE_UP, "still failing after " + failing.toMinutes() + " min of retries (sluice.processing.retry-horizon): ");
            return;
        }
        Duration wait = waitAfter(cause, retries.waits(), round);
        Instant next = now.plus(wait).plusMillis(ThreadLocalRandom.current().nextLong(wait.toMillis() / 10 + 1));
        String detail = "waits until " + next + " (" + human(wait) + "): " + FailedAttemptRecorder.describe(cause);
        exchange.getMessage().setHeader(WAITING, true);
        if (eventLog.markWaiting(id, next, round, detail)) {
            log.warn("Event {} {}", id, detail);
        }
    }

    private Duration waitAfter(Throwable cause, int waits, boolean round) {
        if (TransientFailures.breakerOpen(cause)) {
            return breaker.getState() == CircuitBreaker.State.HALF_OPEN ? SHORT_WAIT : breakerWait;
        }
        Duration asked = TransientFailures.askedWait(cause);
        if (!round) {
            // a rate limit: the provider (or the budget) said when; waiting longer only slows the backlog
            return asked == null ? SHORT_WAIT : min(asked, longestStep);
        }
        Duration step = settings.step(waits);
        return asked == null ? step : min(max(step, asked), longestStep);
    }

    private static boolean stopping(Exchange exchange) {
        ServiceStatus status = exchange.getContext().getStatus();
        return status.isStopping() || status.isStopped() || status.isSuspending();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String human(Duration wait) {
        return wait.toSeconds() >= 120 ? wait.toMinutes() + " min" : wait.toMillis() >= 1000 ? wait.toSeconds() + " s" : wait.toMillis() + " ms";
    }
}
