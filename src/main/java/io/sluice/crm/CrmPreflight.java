package io.sluice.crm;

import io.sluice.config.SluiceProperties;
import io.sluice.mapping.ActiveMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Checks the CRM once Sluice is up and then every {@code sluice.crm.check-interval} (every 30 s while a problem
 * lasts): the credential, and the fields and options the active mapping writes. Until the first check has answered,
 * and while it finds a problem, the inbox holds events, so a wrong key or a missing field costs no event a dead
 * letter; the reason shows in {@code crm} health. An unreachable CRM holds nothing: writes wait and retry as usual.
 */
@Component
public class CrmPreflight implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrmPreflight.class);
    private static final Duration RECHECK_WHILE_BROKEN = Duration.ofSeconds(30);

    private final CrmConnector crm;
    private final ActiveMapping mapping;
    private final Duration interval;
    private volatile CrmCheck last = CrmCheck.pending();
    private ScheduledExecutorService scheduler;

    public CrmPreflight(CrmConnector crm, ActiveMapping mapping, SluiceProperties properties) {
        this.crm = crm;
        this.mapping = mapping;
        this.interval = properties.crm().checkInterval();
    }

    public CrmCheck last() {
        return last;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-crm-check");
            t.setDaemon(true);
            return t;
        });
        scheduler.execute(this::runAndReschedule);
    }

    /** Runs a check now; also what the schedule calls. */
    public CrmCheck runNow() {
        CrmCheck previous = last;
        CrmCheck result;
        try {
            result = crm.check(CrmRequirements.of(mapping.current()));
        } catch (RuntimeException e) {
            result = CrmCheck.unreachable(crm.provider() + " check failed: " + e.getMessage(), java.time.Instant.now());
        }
        last = result;
        if (result.status() == CrmCheck.Status.PROBLEM && !result.reason().equals(previous.reason())) {
            log.error("CRM check: {}. Events wait in the inbox until a check passes", result.reason());
        } else if (result.status() == CrmCheck.Status.UNREACHABLE && previous.status() != CrmCheck.Status.UNREACHABLE) {
            log.warn("CRM check could not reach {}: {}", crm.provider(), result.reason());
        } else if (result.status() == CrmCheck.Status.OK && previous.status() != CrmCheck.Status.OK) {
            log.info("CRM check passed for {}{}", crm.provider(), result.warnings().isEmpty() ? "" : "; " + String.join("; ", result.warnings()));
        }
        return result;
    }

    private void runAndReschedule() {
        CrmCheck result = runNow();
        if (result.status() == CrmCheck.Status.NOT_CHECKED) {
            return; // this provider has no check: nothing to repeat
        }
        Duration next = result.healthy() || interval.compareTo(RECHECK_WHILE_BROKEN) < 0 ? interval : RECHECK_WHILE_BROKEN;
        scheduler.schedule(this::runAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
