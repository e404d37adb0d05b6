package io.sluice.whop;

import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmReconciler;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.inbox.EventLog;
import io.sluice.inbox.StoredEvent;
import io.sluice.store.SyncItemStore;
import io.sluice.store.SyncRun;
import io.sluice.store.SyncRunStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * After a full sync: per resource, how many records Whop has and the CRM holds, which ids differ (missing, stale),
 * and a repair that applies the run's own copy of each differing record again.
 */
@Service
public class SyncReconciliation {

    /** Ids listed per kind in a report; the counts are always complete. */
    public static final int SAMPLE = 100;
    /** Records one repair call requeues at most; call again for the rest. */
    public static final int REPAIR_LIMIT = 50_000;
    private static final Set<EventStatus> FINAL = Set.of(EventStatus.DONE, EventStatus.STALE, EventStatus.IGNORED);
    private static final Logger log = LoggerFactory.getLogger(SyncReconciliation.class);

    private final SyncRunStore runs;
    private final SyncItemStore items;
    private final EventLog eventLog;
    private final CrmConnector crm;
    private final ObjectProvider<CrmReconciler> reconcilers;
    private final Clock clock;

    public SyncReconciliation(SyncRunStore runs, SyncItemStore items, EventLog eventLog, CrmConnector crm,
                              ObjectProvider<CrmReconciler> reconcilers, Clock clock) {
        this.runs = runs;
        this.items = items;
        this.eventLog = eventLog;
        this.crm = crm;
        this.reconcilers = reconcilers;
        this.clock = clock;
    }

    public Map<String, Object> report(String runId) {
        SyncRun run = reconcilable(runId);
        CrmReconciler reconciler = reconciler();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("runId", run.id());
        report.put("provider", crm.provider());
        report.put("eventsStillQueued", eventLog.countByStatus(EventStatus.RECEIVED) + eventLog.countByStatus(EventStatus.PROCESSING));
        Map<String, Object> resources = new LinkedHashMap<>();
        for (String resource : run.resources()) {
            resources.put(resource, reconciler.compare(run.id(), resource, SAMPLE));
        }
        report.put("resources", resources);
        return report;
    }

    /**
     * Puts every differing record of the run back in the inbox as a new event (its own id, so that idempotency does
     * not skip it); the CRM's stale check still keeps a newer change from being overwritten. Records whose event is
     * still queued or dead-lettered are left to processing and to dead-letter replay.
     */
    public Map<String, Object> repair(String runId) {
        SyncRun run = reconcilable(runId);
        CrmReconciler reconciler = reconciler();
        String suffix = "#repair-" + clock.instant().toEpochMilli();
        Map<String, Object> result = new LinkedHashMap<>();
        long requeued = 0;
        long skipped = 0;
        Map<String, Long> byResource = new LinkedHashMap<>();
        for (String resource : run.resources()) {
            List<String> differing = reconciler.differing(run.id(), resource, REPAIR_LIMIT);
            long count = 0;
            for (int from = 0; from < differing.size(); from += 500) {
                List<CanonicalEvent> copies = new ArrayList<>();
                for (String eventId : items.eventIds(run.id(), differing.subList(from, Math.min(differing.size(), from + 500)))) {
                    StoredEvent original = eventLog.find(eventId).orElse(null);
                    if (original == null || !FINAL.contains(original.status())) {
                        skipped++;
                        continue;
                    }
                    copies.add(new CanonicalEvent(eventId + suffix, original.source(), original.type(), original.occurredAt(),
                            original.subjectKey(), original.payload(), EventStatus.RECEIVED, null, original.personEmail()));
                }
                if (!copies.isEmpty()) {
                    for (boolean inserted : eventLog.insertAllIfAbsent(copies)) {
                        count += inserted ? 1 : 0;
                    }
                }
            }
            byResource.put(resource, count);
            requeued += count;
        }
        result.put("runId", run.id());
        result.put("requeued", requeued);
        result.put("byResource", byResource);
        result.put("skippedQueuedOrDead", skipped);
        log.info("Whop sync {} repair: {} records requeued {}, {} left to processing or dead-letter replay",
                run.id(), requeued, byResource, skipped);
        return result;
    }

    private SyncRun reconcilable(String runId) {
        SyncRun run = runs.find(runId).orElseThrow(() -> new NoSuchElementException("no Whop sync " + runId));
        if (!WhopSyncService.FULL.equals(run.mode())) {
            throw new IllegalArgumentException("Whop sync " + runId + " is " + run.mode()
                    + "; only full syncs see every record and can be reconciled");
        }
        if (!run.finished() || SyncRun.FAILED.equals(run.status())) {
            throw new IllegalStateException("Whop sync " + runId + " is " + run.status()
                    + "; reconcile a full sync once it has completed");
        }
        return run;
    }

    private CrmReconciler reconciler() {
        return reconcilers.orderedStream().filter(r -> r.provider().equals(crm.provider())).findFirst().orElseThrow(() ->
                new UnsupportedOperationException("reconciliation is not available for CRM provider '" + crm.provider() + "'"));
    }
}
