package io.sluice.admin;

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
import java.util.LinkedHashMap;
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

    @PostMapping("/api/sync/whop")
    ResponseEntity<Map<String, Object>> start(@RequestBody(required = false) SyncRequest request) {
        String mode = request == null || request.mode() == null ? WhopSyncService.INCREMENTAL : request.mode();
        SyncRun run = syncs.start(mode, "api");
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(run));
    }

    @GetMapping("/api/sync/whop")
    Map<String, Object> list(@RequestParam(required = false) Integer limit) {
        List<Map<String, Object>> items = runs.recent(Limits.of(limit)).stream().map(this::view).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", null);
        return body;
    }

    @GetMapping("/api/sync/whop/{id}")
    Map<String, Object> one(@PathVariable String id) {
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

    private Map<String, Object> view(SyncRun run) {
        List<SyncRunStore.ResourceProgress> resources = runs.progress(run.id());
        SyncProgress progress = SyncProgress.of(run, resources, runs.lastFullRunRecords(), clock.instant());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", run.id());
        body.put("mode", run.mode());
        body.put("status", run.status());
        body.put("startedBy", run.startedBy());
        body.put("startedAt", run.startedAt());
        body.put("finishedAt", run.finishedAt());
        body.put("running", syncs.runningHere(run.id()));
        body.put("resource", run.currentResource());
        body.put("updatedAfter", run.updatedAfter());
        body.put("pages", progress.pages());
        body.put("records", progress.records());
        body.put("newEvents", progress.newEvents());
        body.put("rejected", progress.rejected());
        body.put("recordsPerSecond", progress.recordsPerSecond());
        body.put("expectedRecords", progress.expectedRecords());
        body.put("etaSeconds", progress.etaSeconds());
        body.put("errors", run.errors());
        body.put("lastError", run.lastError());
        body.put("resources", resources);
        return body;
    }
}
