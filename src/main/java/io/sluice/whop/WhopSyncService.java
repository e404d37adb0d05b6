package io.sluice.whop;

import io.sluice.config.InboxProperties;
import io.sluice.config.WhopProperties;
import io.sluice.inbox.ClaimOwner;
import io.sluice.inbox.LeasedWork;
import io.sluice.store.PauseStore;
import io.sluice.store.SyncRun;
import io.sluice.store.SyncRunStore;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts Whop sync runs and hands them to the {@code whop-sync} route; resumes runs that a restart, a pause or a
 * Whop outage interrupted. At most one unfinished run per mode (the database enforces it). A running run is held by
 * the process pulling it, under a lease renewed with its inbox claims ({@link LeasedWork}): another replica resumes it
 * only once that lease ran out.
 */
@Service
public class WhopSyncService implements LeasedWork {

    public static final String INCREMENTAL = "incremental";
    public static final String FULL = "full";
    static final String ROUTE_URI = "seda:whop-sync";

    /**
     * What a full run pulls, in this order. Memberships come first: each carries its person as well as its opportunity,
     * so the CRM holds the deals soonest and a backfill keeps the CRM's budget busy from the first page; members then
     * add the people without a membership (a member whose person a membership wrote with a newer change is stale).
     */
    static final List<WhopResource> FULL_ORDER = List.of(WhopResource.MEMBERSHIPS, WhopResource.MEMBERS, WhopResource.PAYMENTS);
    private static final Logger log = LoggerFactory.getLogger(WhopSyncService.class);
    /** A RUNNING run of an earlier version (no holder) untouched this long lost its process; any process may take it over. */
    private static final Duration ORPHANED_AFTER = Duration.ofMinutes(15);

    private final SyncRunStore runs;
    private final PauseStore pauses;
    private final WhopCredentials credentials;
    private final ProducerTemplate producer;
    private final WhopProperties whop;
    private final Clock clock;
    private final ClaimOwner owner;
    private final Duration lease;
    private final Set<String> inThisProcess = ConcurrentHashMap.newKeySet();
    /**
     * Runs this start of the process created before its first check. That check takes back the runs an earlier start
     * under the same name held; a run created here is held under that name too from the moment it is stored, before
     * the whop-sync route takes it, and must not be handed over a second time.
     */
    private final Set<String> createdBeforeFirstCheck = ConcurrentHashMap.newKeySet();
    private volatile boolean firstCheckDone;
    private final long startedNanos = System.nanoTime();
    /** Whether renewals have all succeeded for a whole lease: before that, others' lapsed runs may be live (an outage). */
    private volatile boolean renewalsHealthy;

    public WhopSyncService(SyncRunStore runs, PauseStore pauses, WhopCredentials credentials, ProducerTemplate producer,
                           WhopProperties whop, Clock clock, ClaimOwner owner, InboxProperties inbox) {
        this.runs = runs;
        this.pauses = pauses;
        this.credentials = credentials;
        this.producer = producer;
        this.whop = whop;
        this.clock = clock;
        this.owner = owner;
        this.lease = inbox.lease();
    }

    /**
     * Starts a run: {@code full} pulls memberships, members and payments ({@link #FULL_ORDER}); {@code incremental} pulls payments updated
     * since the watermark (minus the overlap window).
     *
     * @throws SyncRunStore.RunConflictException when a run of this mode is unfinished
     */
    public SyncRun start(String mode, String startedBy) {
        SyncRun run = create(mode, startedBy);
        dispatch(run.id());
        return run;
    }

    /**
     * Stores a new run without handing it to {@code seda:whop-sync}: the caller does (the {@code whop-poll} route,
     * after {@link WhopSyncScheduler#tick}).
     */
    SyncRun create(String mode, String startedBy) {
        requireCredentials();
        List<String> resources;
        Instant updatedAfter = null;
        if (FULL.equals(mode)) {
            resources = FULL_ORDER.stream().map(WhopResource::path).toList();
        } else if (INCREMENTAL.equals(mode)) {
            resources = List.of(WhopResource.PAYMENTS.path());
            updatedAfter = runs.watermark(WhopResource.PAYMENTS.path()).map(w -> w.minus(whop.sync().overlap())).orElse(null);
        } else {
            throw new IllegalArgumentException("mode must be 'incremental' or 'full', not '" + mode + "'");
        }
        SyncRun run = runs.create(newRunId(), mode, startedBy, resources, null, updatedAfter, owner.name(), leaseEnd());
        log.info("Whop sync {} ({}) started by {}: {}{}", run.id(), mode, startedBy, resources,
                updatedAfter == null ? "" : ", payments updated after " + updatedAfter);
        return run;
    }

    /** Pulls one resource from a given cursor onwards: how a dead-lettered page is tried again. */
    public SyncRun startFrom(WhopResource resource, String cursor, String startedBy) {
        requireCredentials();
        SyncRun run = runs.create(newRunId(), FULL, startedBy, List.of(resource.path()), cursor, null, owner.name(), leaseEnd());
        log.info("Whop sync {} started by {}: {} from a stored cursor", run.id(), startedBy, resource.path());
        dispatch(run.id());
        return run;
    }

    /**
     * The ids of the unfinished runs nobody is working on, claimed for this process, for the caller to hand to
     * {@code seda:whop-sync}: RUNNING runs whose holder's lease ran out or that an earlier run of this process held
     * (runs of an earlier version, with no holder: after a restart), PAUSED runs once the kill switch is off, WAITING
     * runs after {@code sluice.whop.sync.resume-waiting-after}.
     *
     * @param firstCheck this process's first check: it takes back the runs held under this process's name by an
     *                   earlier start. Runs of an earlier version (no holder) it takes only when it comes within one
     *                   lease of the start: a replica that first leads hours later must not take a run another live
     *                   process of that version may be pulling; those wait for ORPHANED_AFTER
     */
    List<String> claimUnfinished(boolean firstCheck) {
        boolean soonAfterStart = firstCheck && System.nanoTime() - startedNanos < lease.toNanos();
        List<String> claimed = new java.util.ArrayList<>();
        boolean paused = pauses.isPaused("whop-poll");
        Instant now = clock.instant();
        for (SyncRun run : runs.unfinished()) {
            if (inThisProcess.contains(run.id())) {
                continue;
            }
            boolean due = switch (run.status()) {
                case SyncRun.RUNNING -> run.claimedBy() == null
                        ? soonAfterStart || run.updatedAt().isBefore(now.minus(ORPHANED_AFTER))
                        // an earlier start of this process (the same name) held it: taken back at the first check
                        : firstCheck && run.claimedBy().equals(owner.name()) && !createdBeforeFirstCheck.contains(run.id())
                        || renewalsHealthy && (run.leaseUntil() == null || run.leaseUntil().isBefore(now));
                case SyncRun.PAUSED -> !paused;
                case SyncRun.WAITING -> !paused && !run.updatedAt().isAfter(now.minus(whop.sync().resumeWaitingAfter()));
                default -> false;
            };
            try {
                if (due && runs.claim(run, owner.name(), leaseEnd())) {
                    log.info("Whop sync {} ({}) resumes from {} after {}", run.id(), run.mode(),
                            run.currentResource() == null ? "its end" : run.currentResource()
                                    + (run.pageCursor() == null ? " (first page)" : " (stored cursor)"), run.status());
                    claimed.add(run.id());
                }
            } catch (RuntimeException e) {
                // the runs claimed so far still go; this one is looked at again at the next tick
                log.warn("Whop sync {} could not be resumed now: {}", run.id(), e.getMessage());
            }
        }
        if (firstCheck) {
            firstCheckDone = true;
            createdBeforeFirstCheck.clear();
        }
        return claimed;
    }

    public boolean runningHere(String runId) {
        return inThisProcess.contains(runId);
    }

    /**
     * The run starts being pulled here (the whop-sync route took it): false when it already is, for a run handed over
     * twice. Until then it is only RUNNING in the database: a hand-over that failed leaves it to be resumed once
     * orphaned, as after a crash, never held by this process.
     */
    boolean began(String runId) {
        return inThisProcess.add(runId);
    }

    void release(String runId) {
        inThisProcess.remove(runId);
    }

    /** The name this process holds runs under. */
    String ownerName() {
        return owner.name();
    }

    /** Renews the hold on the runs being pulled here, on the inbox claims' timer. */
    @Override
    public void renewLeases(String ownerName, Instant until) {
        runs.renew(ownerName, List.copyOf(inThisProcess), until);
    }

    @Override
    public void renewalsHealthy(boolean healthy) {
        renewalsHealthy = healthy;
    }

    private Instant leaseEnd() {
        return clock.instant().plus(lease);
    }

    /** Hands the run to the route, after the transaction that stored it commits (if there is one). */
    private void dispatch(String runId) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    dispatchNow(runId);
                }
            });
        } else {
            dispatchNow(runId);
        }
    }

    private void dispatchNow(String runId) {
        producer.sendBody(ROUTE_URI, runId);
    }

    private void requireCredentials() {
        if (!credentials.configured()) {
            throw new WhopNotConnectedException("no Whop credential: set WHOP_API_KEY and WHOP_COMPANY_ID, "
                    + "or WHOP_CLIENT_ID and connect at /auth/whop");
        }
    }

    /** A new run's id, noted before the run is stored when the first check is still to come. */
    private String newRunId() {
        String id = newId();
        if (!firstCheckDone) {
            createdBeforeFirstCheck.add(id);
        }
        return id;
    }

    private String newId() {
        return "sync_" + clock.instant().toEpochMilli() + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
