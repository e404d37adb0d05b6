package io.sluice.whop;

import io.sluice.store.SyncRun;
import io.sluice.store.SyncRunStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run's progress as operators read it: pages, records, rate and ETA. The ETA of a full run is estimated from
 * the record counts of the previous completed full run (Whop's lists do not give totals); null when unknown.
 */
public record SyncProgress(int pages, long records, long newEvents, long rejected, double recordsPerSecond,
                           Long etaSeconds, Long expectedRecords) {

    public static SyncProgress of(SyncRun run, List<SyncRunStore.ResourceProgress> resources, Map<String, Long> lastFullRun,
                                  Instant now) {
        int pages = resources.stream().mapToInt(SyncRunStore.ResourceProgress::pages).sum();
        long records = resources.stream().mapToLong(SyncRunStore.ResourceProgress::records).sum();
        long newEvents = resources.stream().mapToLong(SyncRunStore.ResourceProgress::newEvents).sum();
        long rejected = resources.stream().mapToLong(SyncRunStore.ResourceProgress::rejected).sum();
        Instant end = run.finishedAt() != null ? run.finishedAt() : now;
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), end).toMillis() / 1000.0);
        double rate = records / seconds;
        Long expected = null;
        Long eta = null;
        if (WhopSyncService.FULL.equals(run.mode()) && run.resources().stream().allMatch(lastFullRun::containsKey)) {
            expected = run.resources().stream().mapToLong(lastFullRun::get).sum();
        }
        if (run.finished()) {
            eta = 0L;
        } else if (expected != null && rate > 0) {
            eta = (long) Math.ceil(Math.max(0, expected - records) / rate);
        }
        return new SyncProgress(pages, records, newEvents, rejected, Math.round(rate * 10) / 10.0, eta, expected);
    }
}
