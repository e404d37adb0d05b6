package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.WhopProperties;
import io.sluice.event.CanonicalEvent;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.inbox.EventLog;
import io.sluice.store.PauseStore;
import io.sluice.store.SyncItemStore;
import io.sluice.store.SyncRun;
import io.sluice.store.SyncRunStore;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of the {@code whop-sync} route: for one run, build the request of its next page, store the page's
 * records as events together with the next cursor (one transaction), and end the run. The error handlers of
 * {@code routes/_config/whop-sync-errors.camel.yaml} call the {@code stop...}/{@code wait...} methods.
 */
@Component("whopSyncRunner")
public class WhopSyncRunner {

    public static final String RUN_ID = "WhopSyncRunId";
    public static final String MORE = "WhopSyncMore";
    private static final String RUN = "WhopSyncRun";
    private static final String STARTED = "WhopSyncStartedNanos";
    private static final String LAST_LOG = "WhopSyncLastLogNanos";
    private static final String FULL_MODE = WhopSyncService.FULL;

    private static final Logger log = LoggerFactory.getLogger(WhopSyncRunner.class);

    private final SyncRunStore runs;
    private final SyncItemStore items;
    private final EventLog eventLog;
    private final PauseStore pauses;
    private final WhopCredentials credentials;
    private final PulledRecordEvents recordEvents;
    private final SyncPageDeadLetters pageDeadLetters;
    private final WhopSyncService service;
    private final SluiceMetrics metrics;
    private final ObjectMapper objectMapper;
    private final TransactionTemplate transaction;
    private final WhopProperties whop;
    private final Clock clock;

    public WhopSyncRunner(SyncRunStore runs, SyncItemStore items, EventLog eventLog, PauseStore pauses,
                          WhopCredentials credentials, PulledRecordEvents recordEvents, SyncPageDeadLetters pageDeadLetters,
                          WhopSyncService service, SluiceMetrics metrics, ObjectMapper objectMapper,
                          TransactionTemplate transaction, WhopProperties whop, Clock clock) {
        this.runs = runs;
        this.items = items;
        this.eventLog = eventLog;
        this.pauses = pauses;
        this.credentials = credentials;
        this.recordEvents = recordEvents;
        this.pageDeadLetters = pageDeadLetters;
        this.service = service;
        this.metrics = metrics;
        this.objectMapper = objectMapper;
        this.transaction = transaction;
        this.whop = whop;
        this.clock = clock;
    }

    /** Body in: the run id. The run is this process's until the exchange completes, however it ends. */
    public void begin(Exchange exchange) {
        String runId = exchange.getMessage().getBody(String.class);
        exchange.setProperty(RUN_ID, runId);
        if (!service.began(runId)) {
            log.info("Whop sync {} is already being pulled here; this hand-over is dropped", runId);
            exchange.setProperty(MORE, false);
            return;
        }
        exchange.setProperty(MORE, true);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(LAST_LOG, System.nanoTime());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                service.release(runId);
            }
        });
    }

    /**
     * Prepares the HTTP request of the run's next page, or ends the loop: when the run is complete, paused by the
     * {@code whop-poll} kill switch, or Sluice is stopping (the run then resumes at the next start).
     */
    public void nextPageRequest(Exchange exchange) {
        String runId = exchange.getProperty(RUN_ID, String.class);
        SyncRun run = runs.find(runId).orElseThrow(() -> new IllegalStateException("Whop sync " + runId + " is not stored"));
        if (run.finished() || exchange.getContext().isStopping()) {
            exchange.setProperty(MORE, false);
            return;
        }
        if (run.currentResource() == null) {
            complete(exchange, run);
            exchange.setProperty(MORE, false);
            return;
        }
        if (pauses.isPaused("whop-poll")) {
            runs.setStatus(runId, SyncRun.PAUSED, "paused by the whop-poll kill switch; resumes from the stored cursor when lifted", service.ownerName());
            log.info("Whop sync {} paused at {} (kill switch whop-poll)", runId, run.currentResource());
            recordDuration(exchange, run, SyncRun.PAUSED);
            exchange.setProperty(MORE, false);
            return;
        }
        WhopResource resource = WhopResource.byPath(run.currentResource()).orElseThrow(() ->
                new IllegalStateException("Whop sync " + runId + " names an unknown resource " + run.currentResource()));
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader(Exchange.HTTP_PATH, "/" + resource.path());
        message.setHeader(Exchange.HTTP_QUERY, query(run, resource));
        message.setHeader("Authorization", "Bearer " + credentials.bearerToken());
        message.setHeader("Accept", "application/json");
        message.setHeader("Api-Version-Date", whop.apiVersionDate());
        exchange.setProperty(RUN, run);
    }

    /** Body in: Whop's answer for the page. Stores its records as events and the next cursor, in one transaction. */
    public void acceptPage(Exchange exchange) {
        SyncRun run = exchange.getProperty(RUN, SyncRun.class);
        WhopResource resource = WhopResource.byPath(run.currentResource()).orElseThrow();
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().removeHeaders("*"); // the request's Authorization header must not travel further
        WhopPage page;
        try {
            page = WhopPage.parse(body, objectMapper);
        } catch (MalformedWhopPageException e) {
            skipMalformedPage(run, resource, body, e);
            return;
        }
        Instant pulledAt = clock.instant();
        List<CanonicalEvent> events = new ArrayList<>(page.records().size());
        List<SyncItemStore.SyncItem> seen = new ArrayList<>(page.records().size());
        Instant highWater = null;
        long rejected = 0;
        for (JsonNode record : page.records()) {
            try {
                CanonicalEvent event = recordEvents.toEvent(resource, record, pulledAt);
                events.add(event);
                Instant updated = event.changeKey() == null ? null : event.occurredAt(); // set only with an updated_at
                if (resource.incremental() && updated != null && (highWater == null || updated.isAfter(highWater))) {
                    highWater = updated;
                }
                seen.add(new SyncItemStore.SyncItem(event.subjectKey(), resource.path(), resource.crmSubject(record),
                        event.occurredAt(), event.id()));
            } catch (PulledRecordEvents.UnusableRecordException e) {
                rejected++;
                rejectRecord(run, resource, record, e.getMessage());
            }
        }
        long fresh = storePage(exchange, run, page, events, seen, highWater, rejected);
        if (fresh < 0) {
            return;
        }
        metrics.whopSyncRecords(resource.path(), "new", fresh);
        metrics.whopSyncRecords(resource.path(), "unchanged", events.size() - fresh);
        metrics.whopSyncRecords(resource.path(), "rejected", rejected);
        logProgress(exchange, run);
    }

    private long storePage(Exchange exchange, SyncRun run, WhopPage page, List<CanonicalEvent> events,
                           List<SyncItemStore.SyncItem> seen, Instant highWater, long rejected) {
        Long fresh = transaction.execute(tx -> {
            boolean[] inserted = events.isEmpty() ? new boolean[0] : eventLog.insertAllIfAbsent(events);
            long count = 0;
            for (boolean b : inserted) {
                count += b ? 1 : 0;
            }
            if (FULL_MODE.equals(run.mode()) && !seen.isEmpty()) {
                items.insertAll(run.id(), seen);
            }
            if (!runs.recordPage(run, run.pageCursor(), page.nextCursor(), events.size() + rejected, count, rejected, highWater,
                    service.ownerName())) {
                tx.setRollbackOnly(); // another process moved this run on: its copy of the page wins
                return -1L;
            }
            return count;
        });
        if (fresh == null || fresh < 0) {
            log.warn("Whop sync {} was moved on by another process; this one stops", run.id());
            exchange.setProperty(MORE, false);
            return -1;
        }
        return fresh;
    }

    private void skipMalformedPage(SyncRun run, WhopResource resource, byte[] body, MalformedWhopPageException e) {
        String error = "Whop returned a malformed " + resource.path() + " page (" + e.getMessage() + "); the rest of "
                + resource.path() + " is skipped in this run; replay dead letter to pull it again from this page";
        long deadLetter = pageDeadLetters.record(run, resource, body, e.getMessage());
        runs.skipResource(run, error + " (dead letter " + deadLetter + ")", service.ownerName());
        metrics.whopSyncRecords(resource.path(), "page_error", 1);
        log.warn("Whop sync {}: {} (dead letter {})", run.id(), error, deadLetter);
    }

    private void rejectRecord(SyncRun run, WhopResource resource, JsonNode record, String reason) {
        try {
            String id = eventLog.recordRejected(PulledRecordEvents.SOURCE, "whop-sync:" + run.id() + ":" + resource.singular(),
                    objectMapper.writeValueAsBytes(record), reason);
            log.warn("Whop sync {}: record rejected as {}: {}", run.id(), id, reason);
        } catch (Exception e) {
            log.warn("Whop sync {}: a rejected {} record could not be recorded: {}", run.id(), resource.singular(), e.getMessage());
        }
    }

    private void complete(Exchange exchange, SyncRun run) {
        String status = run.errors() > 0 ? SyncRun.COMPLETED_WITH_ERRORS : SyncRun.COMPLETED;
        if (run.highWater() != null && run.resources().contains(WhopResource.PAYMENTS.path())) {
            runs.advanceWatermark(WhopResource.PAYMENTS.path(), run.highWater(), run.id());
        }
        runs.finish(run.id(), status, null, service.ownerName());
        if (FULL_MODE.equals(run.mode())) {
            items.pruneOlderThan(whop.sync().keepFullRuns());
        }
        recordDuration(exchange, run, status);
        long records = runs.progress(run.id()).stream().mapToLong(SyncRunStore.ResourceProgress::records).sum();
        log.info("Whop sync {} ({}) {}: {} records{}", run.id(), run.mode(), status, records,
                run.errors() > 0 ? ", " + run.errors() + " errors (last: " + run.lastError() + ")" : "");
    }

    /** 401/403: the credential is wrong or lacks a permission; retrying cannot help. */
    public void stopOnRejectedCredentials(Exchange exchange) {
        HttpOperationFailedException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, HttpOperationFailedException.class);
        String reason = "Whop rejected the credential (HTTP " + e.getStatusCode() + " on " + requestLine(exchange) + "): "
                + (e.getStatusCode() == 401
                ? "check WHOP_API_KEY, or reconnect at /auth/whop"
                : "the key lacks a permission; it needs member:basic:read, member:email:read and payment:basic:read")
                + whopMessage(e);
        stop(exchange, SyncRun.FAILED, reason);
    }

    /** Any other 4xx: the request itself is wrong (a bad company id, say); retrying cannot help. */
    public void stopOnRejectedRequest(Exchange exchange) {
        HttpOperationFailedException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, HttpOperationFailedException.class);
        stop(exchange, SyncRun.FAILED, "Whop refused " + requestLine(exchange) + " with HTTP " + e.getStatusCode()
                + whopMessage(e) + "; check WHOP_COMPANY_ID and sluice.whop.sync.product-ids");
    }

    /** No credential (OAuth not connected, or its refresh was refused). */
    public void stopNotConnected(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        stop(exchange, SyncRun.FAILED, e.getMessage());
    }

    /** Retries are spent (429s, 5xx, timeouts, database trouble): the run waits and resumes from its cursor later. */
    public void waitAfterTransientFailure(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = WhopCallFailure.describe(e) + "; retries are spent, the run resumes from its stored cursor in "
                + whop.sync().resumeWaitingAfter().toSeconds() + " s";
        String runId = exchange.getProperty(RUN_ID, String.class);
        try {
            runs.setStatus(runId, SyncRun.WAITING, reason, service.ownerName());
        } catch (RuntimeException stored) {
            log.warn("Whop sync {}: could not record WAITING ({}); it resumes after the next restart", runId, stored.getMessage());
        }
        SyncRun run = exchange.getProperty(RUN, SyncRun.class);
        if (run != null) {
            recordDuration(exchange, run, SyncRun.WAITING);
        }
        log.warn("Whop sync {} waits: {}", runId, reason);
    }

    private void stop(Exchange exchange, String status, String reason) {
        String runId = exchange.getProperty(RUN_ID, String.class);
        runs.finish(runId, status, reason, service.ownerName());
        SyncRun run = exchange.getProperty(RUN, SyncRun.class);
        if (run != null) {
            recordDuration(exchange, run, status);
        }
        log.error("Whop sync {} {}: {}", runId, status, reason);
    }

    private String query(SyncRun run, WhopResource resource) {
        List<String> params = new ArrayList<>();
        if (whop.companyId() != null) {
            params.add(param("company_id", whop.companyId()));
        }
        params.add(param("first", Integer.toString(whop.api().pageSize())));
        params.add(param("order", "created_at"));
        params.add(param("direction", "asc"));
        for (String productId : whop.sync().productIds()) {
            params.add(param("product_ids[]", productId));
        }
        if (resource.incremental() && run.updatedAfter() != null) {
            params.add(param("updated_after", run.updatedAfter().toString()));
        }
        if (run.pageCursor() != null) {
            params.add(param("after", run.pageCursor()));
        }
        return String.join("&", params);
    }

    private static String param(String name, String value) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void logProgress(Exchange exchange, SyncRun run) {
        long now = System.nanoTime();
        Long last = exchange.getProperty(LAST_LOG, Long.class);
        if (last != null && now - last < whop.sync().progressLogInterval().toNanos()) {
            return;
        }
        exchange.setProperty(LAST_LOG, now);
        runs.find(run.id()).ifPresent(current -> {
            SyncProgress progress = SyncProgress.of(current, runs.progress(run.id()), runs.lastFullRunRecords(), clock.instant());
            log.info("Whop sync {} ({}): {} page {}, {} records ({} new), {} records/s{}", run.id(), run.mode(),
                    current.currentResource() == null ? "finishing" : current.currentResource(), progress.pages(),
                    progress.records(), progress.newEvents(), String.format("%.1f", progress.recordsPerSecond()),
                    progress.etaSeconds() == null ? "" : ", ETA " + progress.etaSeconds() + " s");
        });
    }

    private void recordDuration(Exchange exchange, SyncRun run, String status) {
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            metrics.whopSyncDuration(run.mode(), status, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static String requestLine(Exchange exchange) {
        SyncRun run = exchange.getProperty(RUN, SyncRun.class);
        return run == null || run.currentResource() == null ? "the Whop API" : "GET /" + run.currentResource();
    }

    private static String whopMessage(HttpOperationFailedException e) {
        String body = e.getResponseBody();
        if (body == null || body.isBlank()) {
            return "";
        }
        String clean = body.replaceAll("\\p{Cntrl}", " ").trim();
        return " (Whop says: " + (clean.length() <= 300 ? clean : clean.substring(0, 300) + "…") + ")";
    }
}
