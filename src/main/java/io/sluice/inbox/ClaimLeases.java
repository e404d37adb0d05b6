package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this process's claims alive and frees the claims of processes that stopped. Once the application has started
 * (its port is bound, so no live process shares its name) it takes back what an earlier run under the same name
 * held. Every third of {@code sluice.inbox.lease} it renews the leases of the claims it holds and then takes back
 * those of other processes whose lease ran out, but only after a whole lease of renewals that all succeeded: after
 * a start or a database outage the others may not have been able to renew either, and their work is live. The
 * {@link LeasedWork} beans (running Whop pulls) are renewed on the same timer.
 */
@Component
public class ClaimLeases implements SmartLifecycle, ApplicationListener<ApplicationStartedEvent> {

    private static final Logger log = LoggerFactory.getLogger(ClaimLeases.class);

    private final InboxClaims claims;
    private final List<LeasedWork> otherWork;
    private final Clock clock;
    private final Duration lease;
    private final Duration every;
    private ScheduledExecutorService timer;
    /** Since when every renewal succeeded (System.nanoTime); takeovers wait until that is a lease ago. */
    private volatile long renewingSinceNanos = System.nanoTime();

    public ClaimLeases(InboxClaims claims, InboxProperties inbox, List<LeasedWork> otherWork, Clock clock) {
        this.claims = claims;
        this.otherWork = List.copyOf(otherWork);
        this.clock = clock;
        this.lease = inbox.lease();
        this.every = inbox.lease().dividedBy(3);
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        renewingSinceNanos = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sluice-claim-leases");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }

    /** Early to start, late to stop: the routes never hold a claim that is not being renewed. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    /**
     * The application started: its server port is bound, so this is the only live process under its name, and the
     * claims under the name are an earlier run's. (A second start on a taken port fails before this, touching none.)
     */
    @Override
    public void onApplicationEvent(ApplicationStartedEvent event) {
        try {
            int back = claims.takeBackOwn();
            if (back > 0) {
                log.warn("Requeued {} events that {} was processing when it last stopped", back, claims.owner());
            }
        } catch (RuntimeException e) {
            // the database is not there: their leases run out, and a later tick (here or elsewhere) takes them back
            log.warn("Could not take back this process's earlier claims yet: {}", e.getMessage());
        }
    }

    private void tick() {
        try {
            claims.renewLeases();
            for (LeasedWork work : otherWork) {
                work.renewLeases(claims.owner(), clock.instant().plus(lease));
            }
        } catch (Throwable e) {
            renewingSinceNanos = System.nanoTime();
            otherWork.forEach(work -> work.renewalsHealthy(false));
            log.warn("Could not renew claim leases: {}", e.getMessage());
            return; // a failure must not end the timer: a later tick tries again
        }
        boolean healthy = System.nanoTime() - renewingSinceNanos >= lease.toNanos();
        otherWork.forEach(work -> work.renewalsHealthy(healthy));
        if (!healthy) {
            return;
        }
        try {
            int back = claims.takeBackExpired();
            if (back > 0) {
                log.warn("Requeued {} events whose claims' leases ran out (their process stopped, or lost them)", back);
            }
        } catch (Throwable e) {
            log.warn("Could not check claim leases: {}", e.getMessage());
        }
    }
}
