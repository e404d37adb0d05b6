package io.sluice.whop;

import io.sluice.config.WhopProperties;
import io.sluice.store.PauseStore;
import io.sluice.store.SyncRunStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Called by the {@code whop-poll} timer route: finds the interrupted runs to resume and starts the pulls that are due;
 * the route hands each to {@code whop-sync}. A full
 * sweep is due every {@code sluice.whop.poll.full-interval} (and when none ever ran); an incremental pull every
 * {@code WHOP_POLL_INTERVAL}, except while a full run (which pulls payments too) is unfinished.
 */
@Component("whopSyncScheduler")
public class WhopSyncScheduler {

    private static final Logger log = LoggerFactory.getLogger(WhopSyncScheduler.class);

    private final WhopSyncService service;
    private final SyncRunStore runs;
    private final PauseStore pauses;
    private final WhopProperties whop;
    private final Clock clock;
    private final AtomicBoolean firstTick = new AtomicBoolean(true);

    public WhopSyncScheduler(WhopSyncService service, SyncRunStore runs, PauseStore pauses, WhopProperties whop,
                             Clock clock) {
        this.service = service;
        this.runs = runs;
        this.pauses = pauses;
        this.whop = whop;
        this.clock = clock;
    }

    /**
     * The ids of the runs to pull now, for the route to hand to {@code seda:whop-sync}: the unfinished ones this
     * process takes over, then the one that is due (if any).
     */
    public List<String> tick() {
        List<String> toPull = new ArrayList<>(service.claimUnfinished(firstTick.getAndSet(false)));
        try {
            if (!whop.pollEnabled() || pauses.isPaused("whop-poll")) {
                return toPull;
            }
            if (due(WhopSyncService.FULL, whop.poll().fullInterval())) {
                toPull.add(service.create(WhopSyncService.FULL, "schedule").id());
            } else if (runs.activeRun(WhopSyncService.FULL).isEmpty() && due(WhopSyncService.INCREMENTAL, whop.poll().interval())
                    && !recentlyStarted(WhopSyncService.FULL, whop.poll().interval())) {
                toPull.add(service.create(WhopSyncService.INCREMENTAL, "schedule").id());
            }
        } catch (SyncRunStore.RunConflictException e) {
            log.debug("Scheduled Whop pull skipped: {}", e.getMessage());
        } catch (WhopNotConnectedException e) {
            log.warn("Scheduled Whop pull skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            // the runs resumed above still go; what is due is looked at again at the next tick
            log.warn("Scheduled Whop pull skipped this tick: {}", e.getMessage());
        }
        return toPull;
    }

    /** A full run pulls payments too: the next incremental pull waits its interval after it. */
    private boolean recentlyStarted(String mode, Duration interval) {
        return runs.lastStartedAt(mode).map(last -> last.plus(interval).isAfter(clock.instant())).orElse(false);
    }

    private boolean due(String mode, Duration interval) {
        if (runs.activeRun(mode).isPresent()) {
            return false;
        }
        Instant last = runs.lastStartedAt(mode).orElse(null);
        return last == null || !last.plus(interval).isAfter(clock.instant());
    }
}
