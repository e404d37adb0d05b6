package io.sluice.admin;

import io.sluice.store.Page;
import io.sluice.store.SyncRun;
import io.sluice.store.SyncRunStore;
import io.sluice.whop.SyncProgress;
import io.sluice.whop.SyncReconciliation;
import io.sluice.whop.WhopSyncService;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** Whop pulls: start a sync, watch its progress, reconcile a full sync with the CRM and repair the differences. */
@RestController
class WhopSyncController {

    /** {@code POST /api/sync/whop} body. */
    record SyncRequest(String mode) {
    }

    private final WhopSyncService syncs;
    private final SyncRunStore runs;
    private final SyncReconciliation reconciliation;
    private final Clock clock;

    WhopSyncController(WhopSyncService syncs, SyncRunStore runs, SyncReconciliation reconciliation, Clock clock) {
        this.syncs = syncs;
        this.runs = runs;
        this.reconciliation = reconciliation;
        this.clock = clock;
    }

    /** A Whop run as an operator follows it: where it is, how fast it goes, what it found, and each resource's part. */
    record SyncRunView(String id, String mode, String status, String startedBy, Instant startedAt, Instant finishedAt,
                       boolean running, String resource, Instant updatedAfter, int pages, long records, long newEvents,
                       long rejected, double recordsPerSecond, Long expectedRecords, Long etaSeconds, int errors,
                       String lastError, List<SyncRunStore.ResourceProgress> resources) {
    }

    @PostMapping("/api/sync/whop")
    ResponseEntity<SyncRunView> start(@RequestBody(required = false) SyncRequest request) {
        String mode = request == null || request.mode() == null ? WhopSyncService.INCREMENTAL : request.mode();
        SyncRun run = syncs.start(mode, "api");
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(run));
    }

    /** The latest runs, newest first, as a page like every other list (there is never a next one). */
    @GetMapping("/api/sync/whop")
    Page<SyncRunView> list(@RequestParam(required = false) Integer limit) {
        return new Page<>(runs.recent(Limits.of(limit)).stream().map(this::view).toList(), null);
    }

    @GetMapping("/api/sync/whop/{id}")
    SyncRunView one(@PathVariable String id) {
        return view(runs.find(id).orElseThrow(() -> new NoSuchElementException("no Whop sync " + id)));
    }

    @GetMapping("/api/sync/whop/{id}/reconciliation")
    Map<String, Object> reconciliation(@PathVariable String id) {
        return reconciliation.report(id);
    }

    @PostMapping("/api/sync/whop/{id}/repair")
    ResponseEntity<Map<String, Object>> repair(@PathVariable String id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(reconciliation.repair(id));
    }

    private SyncRunView view(SyncRun run) {
        List<SyncRunStore.ResourceProgress> resources = runs.progress(run.id());
        SyncProgress progress = SyncProgress.of(run, resources, runs.lastFullRunRecords(), clock.instant());
        return new SyncRunView(run.id(), run.mode(), run.status(), run.startedBy(), run.startedAt(), run.finishedAt(),
                syncs.runningHere(run.id()), run.currentResource(), run.updatedAfter(), progress.pages(), progress.records(),
                progress.newEvents(), progress.rejected(), progress.recordsPerSecond(), progress.expectedRecords(),
                progress.etaSeconds(), run.errors(), run.lastError(), resources);
    }
}
