package io.sluice.processing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.crm.BatchOutcome;
import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmWriteResult;
import io.sluice.event.EventStatus;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingException;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.inbox.EventLog;
import io.sluice.store.ProcessedEventRepository;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Camel step of the {@code process-batch-apply} route: applies pulled records (a backfill) with the CRM's batch calls,
 * behind the same circuit breaker and with the same idempotency as single events. Whatever does not go through
 * cleanly in a batch (a refused record, a mapping error, a failed batch call) is handed to the single-event path,
 * which retries it alone and dead-letters it if it keeps failing: a batch never hides a failure.
 */
@Component("eventBatchProcessor")
public class EventBatchProcessor {

    /** The single-event path; waits for room rather than failing a batch whose events it takes. */
    static final String SINGLE_PATH = "seda:process-event?size=10000&blockWhenFull=true";
    private static final Logger log = LoggerFactory.getLogger(EventBatchProcessor.class);

    private final EventLog eventLog;
    private final ActiveMapping mapping;
    private final EventProcessor single;
    private final CrmConnector crm;
    private final ProcessedEventRepository processed;
    private final CircuitBreaker breaker;
    private final SedaHandOver handOver;
    private final SluiceMetrics metrics;
    private final List<io.sluice.inbox.AppliedChangeFollowUp> followUps;
    private final int batchSize;
    /** Batches written at once by this process that share a person go one after the other. */
    private final PersonLocks people = new PersonLocks();
    private final PulledInFlight pulledInFlight;
    /** The events the chunk being written on this thread handed to the single path. */
    private static final ThreadLocal<java.util.Set<String>> HANDED_ALONE = new ThreadLocal<>();
    /** The events the chunk being written on this thread completed (or found taken over). */
    private static final ThreadLocal<java.util.Set<String>> SETTLED = new ThreadLocal<>();
    private final java.time.Duration batchWait;
    private final ClaimRoom room;
    private final io.sluice.ai.AiEnrichment enrichment;

    /** {@code sluice.crm.batch-size} caps the records of a batch; 0 (the default) takes the CRM's maximum. */
    public EventBatchProcessor(EventLog eventLog, ActiveMapping mapping, EventProcessor single, CrmConnector crm,
                               @Qualifier("processedEvents") ProcessedEventRepository processed, CircuitBreaker crmCircuitBreaker,
                               SedaHandOver handOver, SluiceMetrics metrics,
                               List<io.sluice.inbox.AppliedChangeFollowUp> followUps, PulledInFlight pulledInFlight, io.sluice.config.CrmProperties settings,
                               ClaimRoom room, io.sluice.ai.AiEnrichment enrichment) {
        this.room = room;
        this.enrichment = enrichment;
        this.pulledInFlight = pulledInFlight;
        this.followUps = followUps;
        int maximum = Math.max(1, crm.batchSize());
        this.batchWait = settings.batchWait();
        int configuredBatchSize = settings.batchSize();
        this.batchSize = configuredBatchSize > 0 ? Math.min(configuredBatchSize, maximum) : maximum;
        this.eventLog = eventLog;
        this.mapping = mapping;
        this.single = single;
        this.crm = crm;
        this.processed = processed;
        this.breaker = crmCircuitBreaker;
        this.handOver = handOver;
        this.metrics = metrics;
    }

    /** How long, in milliseconds, a partial batch waits for more records ({@code sluice.crm.batch-wait}). */
    public long batchWaitMillis() {
        return batchWait.toMillis();
    }

    /** How many pulled records the aggregator gathers for one batch: a full batch call of the CRM. */
    public int batchSize() {
        return batchSize;
    }

    /** Body in: the ids of claimed pulled events, as the aggregator grouped them, or of live events claimed together. */
    @Handler
    public void process(List<Object> ids) {
        int size = batchSize;
        for (int from = 0; from < ids.size(); from += size) {
            processChunk(ids.subList(from, Math.min(ids.size(), from + size)));
        }
    }

    private void processChunk(List<Object> raw) {
        List<String> ids = raw.stream().map(Object::toString).toList();
        HANDED_ALONE.set(new java.util.HashSet<>());
        SETTLED.set(new java.util.HashSet<>());
        try {
            write(ids);
        } catch (RuntimeException e) {
            // anything unforeseen (the database failing the load, say): what this chunk did not settle goes the single
            // way, which counts its attempts and waits or dead-letters, rather than sitting claimed until the claim runs out
            java.util.Set<String> handed = HANDED_ALONE.get();
            java.util.Set<String> settled = SETTLED.get();
            List<String> rest = ids.stream().filter(id -> !handed.contains(id) && !settled.contains(id)).toList();
            log.warn("A batch of {} events stopped ({}); the {} it had not settled are retried alone", ids.size(),
                    FailedAttemptRecorder.describe(e), rest.size());
            for (String id : rest) {
                try {
                    alone(id);
                } catch (RuntimeException handOverFailed) {
                    // the single path's queue refused it (a stop): its claim runs out and the inbox takes it back
                    log.error("Event {} could not be handed to the single path ({}); it waits for its claim to run out", id,
                            FailedAttemptRecorder.describe(handOverFailed));
                }
            }
        } finally {
            // done here; an event handed to the single path stays in flight until that path finishes it
            java.util.Set<String> handed = HANDED_ALONE.get();
            HANDED_ALONE.remove();
            SETTLED.remove();
            ids.stream().filter(id -> !handed.contains(id)).forEach(pulledInFlight::finished);
            room.groupDone(ids);
        }
    }

    private void write(List<String> ids) {
        List<StoredEvent> mapped = new ArrayList<>();
        List<CrmChange> mappedChanges = new ArrayList<>();
        long started = System.nanoTime();
        List<StoredEvent> found = eventLog.findAll(ids);
        if (found.size() < ids.size()) {
            // cannot happen while events are never deleted; if it does, their claims run out and the inbox takes them back
            log.warn("{} of {} claimed events are not in the event log", ids.size() - found.size(), ids.size());
        }
        // lead-score requests (claimed in groups only when the heuristic scores them): scored together
        List<StoredEvent> scoreRequests = found.stream().filter(e -> io.sluice.ai.AiEnrichment.REQUESTED.equals(e.type())).toList();
        for (io.sluice.ai.AiEnrichment.Scored scored : enrichment.scoreAll(scoreRequests)) {
            if (scored.failure() != null) {
                alone(scored.request().id()); // a person Sluice does not know, a mapping error: retried or dead-lettered there
            } else {
                mappedChanges.add(scored.change());
                mapped.add(scored.request());
            }
        }
        for (StoredEvent event : found) {
            if (io.sluice.ai.AiEnrichment.REQUESTED.equals(event.type())) {
                continue;
            }
            if (!mapping.handles(event.type())) {
                alone(event.id()); // the single path marks it IGNORED
                continue;
            }
            try {
                mappedChanges.add(single.map(event));
                mapped.add(event);
            } catch (MappingException e) {
                alone(event.id()); // dead-lettered there at once, with the mapping's reason (or DONE if already applied)
            }
        }
        if (mapped.isEmpty()) {
            return;
        }
        List<StoredEvent> events = new ArrayList<>();
        List<CrmChange> changes = new ArrayList<>();
        java.util.Set<String> settled = new java.util.HashSet<>();
        // the event of this batch that writes each change, and those with the same change, settled after it
        java.util.Map<String, String> firstWithKey = new java.util.HashMap<>();
        List<StoredEvent> sameChangeLater = new ArrayList<>();
        List<BatchOutcome> outcomes;
        try (PersonLocks.Held held = people.lockAll(mappedChanges.stream().map(io.sluice.crm.ChangeKeys::email).toList())) {
            // checked under the locks: a change another batch applied meanwhile is not written again (its webhook on the
            // single path takes no person lock: for that race the window is only narrower, and the upserts make it harmless)
            java.util.Set<String> alreadyApplied = processed.containing(mapped.stream().map(StoredEvent::idempotencyKey).toList());
            for (int i = 0; i < mapped.size(); i++) {
                StoredEvent event = mapped.get(i);
                if (alreadyApplied.contains(event.idempotencyKey())) {
                    if (runFollowUps(event, true)) {
                        complete(event, EventStatus.DONE, "this change was already applied earlier; nothing written");
                    }
                    settled.add(event.id()); // completed, or handed to the single path by followUps
                } else if (event.idempotencyKey() != null && firstWithKey.putIfAbsent(event.idempotencyKey(), event.id()) != null) {
                    sameChangeLater.add(event); // a sibling in this batch writes the same change (a webhook and its pull)
                } else {
                    events.add(event);
                    changes.add(mappedChanges.get(i));
                }
            }
            if (changes.isEmpty()) {
                return;
            }
            outcomes = breaker.executeSupplier(() -> crm.applyBatch(changes));
        } catch (RuntimeException e) {
            log.warn("A batch of {} events could not be written to {} ({}); each is retried alone", mapped.size() - settled.size(),
                    crm.provider(), FailedAttemptRecorder.describe(e));
            mapped.stream().filter(event -> !settled.contains(event.id())).forEach(event -> alone(event.id()));
            return;
        }
        List<StoredEvent> applied = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            BatchOutcome outcome = outcomes.get(i);
            if (outcome.succeeded() && outcome.result() != CrmWriteResult.STALE) {
                applied.add(events.get(i));
            }
        }
        // the follow-ups of what was applied (handed to the single path where they failed)
        java.util.Set<String> followedUp = runFollowUps(applied);
        List<EventLog.Completion> completions = new ArrayList<>();
        List<StoredEvent> completed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            StoredEvent event = events.get(i);
            BatchOutcome outcome = outcomes.get(i);
            if (!outcome.succeeded()) {
                log.info("Event {} failed in a batch ({}); retried alone", event.id(), FailedAttemptRecorder.describe(outcome.failure()));
                alone(event.id());
                continue;
            }
            boolean wasApplied = outcome.result() != CrmWriteResult.STALE;
            if (wasApplied && !followedUp.contains(event.id())) {
                continue; // handed to the single path, which retries or dead-letters it with the reason
            }
            EventStatus status = wasApplied ? EventStatus.DONE : EventStatus.STALE;
            String detail = wasApplied ? "applied to " + crm.provider() + " in a batch of " + changes.size() : "the CRM holds a newer change";
            completions.add(new EventLog.Completion(event.id(), status, detail, event.idempotencyKey()));
            completed.add(event);
        }
        // each change is remembered in the transaction that marks its event done: a crash between the two cannot apply it twice
        java.util.Set<String> recorded;
        try {
            recorded = java.util.Set.copyOf(eventLog.markAllCompletedRemembering(completions, EventProcessor.PROCESSOR_NAME));
        } catch (RuntimeException e) {
            // written to the CRM but not recorded (the database failed): each goes the single-event way, which writes it
            // again (the same fields, an upsert) and records it, or waits while the database is away
            log.warn("{} events written in a batch could not be marked done ({}); each is retried alone", completed.size(),
                    FailedAttemptRecorder.describe(e));
            completed.forEach(event -> alone(event.id()));
            sameChangeLater.forEach(event -> alone(event.id()));
            return;
        }
        completed.forEach(event -> SETTLED.get().add(event.id())); // recorded, or taken over by another claimer
        for (int i = 0; i < completed.size(); i++) {
            StoredEvent event = completed.get(i);
            EventLog.Completion completion = completions.get(i);
            if (!recorded.contains(event.id())) {
                continue; // its claim was taken over (EventLog logs it): the process that holds it counts its outcome
            }
            metrics.event(event.type(), completion.status());
            metrics.processed(java.time.Duration.ofNanos(System.nanoTime() - started));
            log.info("Event {} {} -> {} ({})", event.id(), event.type(), completion.status(), completion.detail());
        }
        for (StoredEvent event : sameChangeLater) {
            if (!recorded.contains(firstWithKey.get(event.idempotencyKey()))) {
                alone(event.id()); // its sibling did not get it written: the single path applies it, or sees it applied
            } else if (runFollowUps(event, true)) {
                complete(event, EventStatus.DONE, "this change was already applied earlier; nothing written");
            }
        }
    }

    /**
     * What the single path does after a change is applied (a lead score to request, a contract a send rule on the
     * event's type asks for): the same here. Both store requests under once-keys, so running them again asks for
     * nothing twice. False when they failed and the event was handed to the single path.
     */
    /**
     * {@link #runFollowUps(StoredEvent, boolean)} for a batch's applied events, each follow-up storing its requests
     * together; when that fails, one by one. The ids of the events whose follow-ups ran.
     */
    private java.util.Set<String> runFollowUps(List<StoredEvent> applied) {
        if (applied.isEmpty()) {
            return java.util.Set.of();
        }
        try {
            for (io.sluice.inbox.AppliedChangeFollowUp followUp : followUps) {
                followUp.afterAppliedAll(applied, false);
            }
            return applied.stream().map(StoredEvent::id).collect(java.util.stream.Collectors.toSet());
        } catch (Exception e) {
            // once-keys make running them again harmless: one by one, so that one event's failure stays its own
            log.info("The follow-ups of a batch of {} failed together ({}); each is run alone", applied.size(), FailedAttemptRecorder.describe(e));
            return applied.stream().filter(event -> runFollowUps(event, false)).map(StoredEvent::id)
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    private boolean runFollowUps(StoredEvent event, boolean duplicate) {
        try {
            for (io.sluice.inbox.AppliedChangeFollowUp followUp : followUps) {
                followUp.afterApplied(event, duplicate);
            }
            return true;
        } catch (Exception e) {
            // one event's follow-up must not strand the rest of the batch: this one goes the single-event way
            log.warn("Event {}: its follow-ups failed in a batch ({}); retried alone", event.id(), FailedAttemptRecorder.describe(e));
            alone(event.id());
            return false;
        }
    }

    private void complete(StoredEvent event, EventStatus status, String detail) {
        boolean recorded = eventLog.markCompleted(event.id(), status, detail);
        SETTLED.get().add(event.id());
        if (!recorded) {
            return; // its claim was taken over (EventLog logs it)
        }
        metrics.event(event.type(), status);
        log.info("Event {} {} -> {} ({})", event.id(), event.type(), status, detail);
    }

    private void alone(String id) {
        handOver.send(SINGLE_PATH, id);
        java.util.Set<String> handed = HANDED_ALONE.get();
        if (handed != null) {
            handed.add(id); // once it went: one that did not is still this chunk's to settle
        }
    }
}
