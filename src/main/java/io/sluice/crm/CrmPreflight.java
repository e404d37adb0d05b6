package io.sluice.crm;

import io.sluice.config.CrmProperties;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Checks the CRM once Sluice is up and then every {@code sluice.crm.check-interval} (every
 * {@code sluice.crm.check-interval-while-broken} while a problem lasts, and at once when the mapping changes or the
 * CRM refuses a write): the credential, and the fields and
 * options the active mapping writes. Until the first check has answered, and while it finds a problem, the inbox
 * holds events ({@code sluice.crm.check-holds-events}), so a wrong key or a missing field makes events wait instead
 * of dead-lettering; the reason shows in {@code crm} health. An unreachable CRM holds nothing: writes wait and retry
 * as usual.
 */
@Component
public class CrmPreflight implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrmPreflight.class);

    private final CrmConnector crm;
    private final ActiveMapping mapping;
    private final Duration interval;
    /** How often the check runs while it finds a problem, and how often the schedule looks whether one is due. */
    private final Duration whileBroken;
    private final boolean holdEvents;
    /** A burst of refusals re-runs the check once, not once per event. */
    private final Duration refusalRecheckGap;
    private volatile CrmCheck last = CrmCheck.pending();
    private volatile Instant lastRun = Instant.MIN;
    private volatile Instant lastRefusalRecheck = Instant.MIN;
    private volatile Mapping checkedMapping;
    private ScheduledExecutorService scheduler;

    public CrmPreflight(CrmConnector crm, ActiveMapping mapping, CrmProperties properties) {
        this.crm = crm;
        this.mapping = mapping;
        this.interval = properties.checkInterval();
        this.whileBroken = properties.checkIntervalWhileBroken();
        this.holdEvents = properties.checkHoldsEvents();
        this.refusalRecheckGap = properties.refusalRecheckGap();
    }

    public CrmCheck last() {
        return last;
    }

    /** Whether a failing check holds events at all ({@code sluice.crm.check-holds-events}). */
    public boolean holdingEnabled() {
        return holdEvents;
    }

    /** The inbox keeps its events: the first check has not answered, or the last one found a problem. */
    public boolean holdsEvents() {
        return holdEvents && last.holdsEvents();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-crm-check");
            t.setDaemon(true);
            return t;
        });
        scheduler.execute(this::tick);
    }

    /** Runs a check now (the schedule, an operator through {@code POST /api/crm/check}, a refused write). */
    public synchronized CrmCheck runNow() {
        CrmCheck previous = last;
        Mapping current = mapping.current();
        Instant started = Instant.now();
        CrmCheck result;
        try {
            result = crm.check(CrmRequirements.of(current)).startedAt(started);
        } catch (RuntimeException e) {
            result = CrmCheck.unreachable(crm.provider() + " check failed: " + e.getMessage(), started);
        }
        last = result;
        lastRun = Instant.now();
        checkedMapping = current;
        if (result.status() == CrmCheck.Status.PROBLEM && !result.reason().equals(previous.reason())) {
            log.error("CRM check: {}. Events wait in the inbox until a check passes", result.reason());
        } else if (result.status() == CrmCheck.Status.UNREACHABLE && previous.status() != CrmCheck.Status.UNREACHABLE) {
            log.warn("CRM check could not reach {}: {}", crm.provider(), result.reason());
        } else if (result.status() == CrmCheck.Status.OK && previous.status() != CrmCheck.Status.OK) {
            log.info("CRM check passed for {}{}", crm.provider(), result.warnings().isEmpty() ? "" : "; " + String.join("; ", result.warnings()));
        }
        return result;
    }

    /**
     * The CRM refused a write at {@code refusedAt}: decide on a check that started after the refusal, so a key
     * revoked or a field removed since the last check holds the event. Checks run one at a time; a refusal that
     * waited for a running check uses its result when it started after the refusal. A refused credential always
     * gets such a check; a refused record (one bad value) re-runs it at most every
     * {@code sluice.crm.refusal-recheck-gap}, so a run of bad records does not spend the CRM's budget on checks.
     */
    public synchronized CrmCheck recheckAfterRefusal(Instant refusedAt, boolean credential) {
        if (last.status() == CrmCheck.Status.NOT_CHECKED) {
            return last;
        }
        if (last.checkedAt() != null && !last.checkedAt().isBefore(refusedAt)) {
            return last; // a check that started after this refusal has answered
        }
        if (!credential && Instant.now().isBefore(lastRefusalRecheck.plus(refusalRecheckGap))) {
            return last;
        }
        lastRefusalRecheck = Instant.now();
        return runNow();
    }

    private void tick() {
        try {
            boolean due = !Instant.now().isBefore(lastRun.plus(last.healthy() ? interval : whileBroken));
            boolean mappingChanged = checkedMapping != mapping.current();
            if (last.status() != CrmCheck.Status.NOT_CHECKED && (due || mappingChanged)) {
                runNow();
            }
        } catch (Throwable e) {
            log.error("CRM check failed to run: {}", e.toString());
        } finally {
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::tick, Math.min(whileBroken.toMillis(), interval.toMillis()), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
