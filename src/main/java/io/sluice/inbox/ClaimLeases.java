package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this process's claims alive and frees the claims of processes that stopped: at start it takes back what an
 * earlier run under the same name held; then, every third of {@code sluice.inbox.lease}, it renews the leases of
 * the claims it holds and takes back those whose lease ran out. It starts before the routes claim anything and
 * stops after them; when the application closes (the routes have stopped by then), it hands back in the inbox
 * whatever this process still held, so the other replicas need not wait for the leases to run out.
 */
@Component
public class ClaimLeases implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ClaimLeases.class);

    private final InboxClaims claims;
    private final Duration every;
    private ScheduledExecutorService timer;

    public ClaimLeases(InboxClaims claims, InboxProperties inbox) {
        this.claims = claims;
        this.every = inbox.lease().dividedBy(3);
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        takeBackOwn();
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

    /** At close, after the routes stopped: what an unfinished stop left claimed goes back to the inbox at once. */
    @Override
    public void destroy() {
        stop();
        try {
            int back = claims.takeBackOwn();
            if (back > 0) {
                log.warn("Handed back {} events this process was still processing when it stopped", back);
            }
        } catch (RuntimeException e) {
            log.warn("Could not hand back this process's claims; their leases run out in {}: {}", every.multipliedBy(3), e.getMessage());
        }
    }

    /** Early to start, late to stop: no route claims before the own claims are back, none holds one unrenewed. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    private void takeBackOwn() {
        try {
            int back = claims.takeBackOwn();
            if (back > 0) {
                log.warn("Requeued {} events that {} was processing when it last stopped", back, claims.owner());
            }
        } catch (RuntimeException e) {
            // the database is not there yet: the leases of those claims run out, and the next tick takes them back
            log.warn("Could not take back this process's earlier claims yet: {}", e.getMessage());
        }
    }

    private void tick() {
        try {
            claims.renewLeases();
            int back = claims.takeBackExpired();
            if (back > 0) {
                log.warn("Requeued {} events whose claims' leases ran out (their process stopped, or lost them)", back);
            }
        } catch (RuntimeException e) {
            // a database outage: the next tick tries again; a lease outlives a few missed renewals
            log.warn("Could not renew or check claim leases: {}", e.getMessage());
        }
    }
}
