package io.sluice.processing;

import io.sluice.config.InboxProperties;
import io.sluice.inbox.InboxClaims;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmPreflight;
import io.sluice.store.PauseStore;
import org.apache.camel.Handler;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Camel step: claims stored events (and waiting ones whose next try is due) from the JDBC inbox, unless the
 * {@code crm} target is paused, the CRM check fails, the CRM's breaker is open or its 429 hold is on.
 */
@Component("inboxClaimer")
public class InboxClaimer {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InboxClaimer.class);

    /**
     * Where a group of live events goes: the batch writers, waiting for room in their short queue (the route sets its
     * size), at most 30 s; a group that cannot go goes the single-event way instead.
     */
    static final String GROUP_PATH = "seda:process-batch-apply?blockWhenFull=true&offerTimeout=30000";

    /** Full batches of pulled records this process has on hand before it claims more of them. */
    static final int BATCHES_AHEAD = 8;

    private final InboxClaims claims;
    private final ClaimRoom room;
    private final PauseStore pauses;
    private final CrmPreflight preflight;
    private final int batchSize;

    private final CrmConnector crm;
    private final io.github.resilience4j.circuitbreaker.CircuitBreaker breaker;
    private final io.sluice.http.ProviderLimits limits;
    private final PulledInFlight pulledInFlight;
    private final EventBatchProcessor batches;
    private final List<io.sluice.store.PausableWork> pausable;
    /** The sources whose events go to the CRM's batch calls (store/BackfillSource). */
    private final java.util.Set<String> backfillSources;
    /**
     * The sources of live events claimed as groups for the CRM's batch writes where it {@link CrmConnector#groupsLiveEvents}:
     * Whop's webhooks, and lead-score requests when the heuristic scores them (at once, with no model call to wait for).
     */
    private final java.util.Set<String> groupedSources;
    private final SedaHandOver handOver;

    public InboxClaimer(InboxClaims claims, PauseStore pauses, InboxProperties inbox,
                        CrmConnector crm, CrmPreflight preflight,
                        io.github.resilience4j.circuitbreaker.CircuitBreaker crmCircuitBreaker, io.sluice.http.ProviderLimits limits,
                        PulledInFlight pulledInFlight, EventBatchProcessor batches, List<io.sluice.store.PausableWork> pausable,
                        List<io.sluice.store.BackfillSource> backfills, ClaimRoom room, io.sluice.ai.AiProperties ai,
                        SedaHandOver handOver) {
        this.room = room;
        this.handOver = handOver;
        this.groupedSources = !crm.groupsLiveEvents() ? java.util.Set.of()
                : io.sluice.ai.heuristic.HeuristicAi.NAME.equals(ai.provider())
                ? java.util.Set.of(io.sluice.webhook.WhopEventParser.SOURCE, io.sluice.ai.AiEnrichment.SOURCE)
                : java.util.Set.of(io.sluice.webhook.WhopEventParser.SOURCE);
        this.pausable = pausable;
        this.backfillSources = backfills.stream().map(io.sluice.store.BackfillSource::source).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.pulledInFlight = pulledInFlight;
        this.batches = batches;
        this.crm = crm;
        this.breaker = crmCircuitBreaker;
        this.limits = limits;
        this.preflight = preflight;
        this.claims = claims;
        this.pauses = pauses;
        this.batchSize = inbox.batchSize();
    }

    /** Exchange property: the last claim filled its limit, so more may be waiting; the route claims again at once. */
    public static final String MORE = "SluiceClaimMore";

    @Handler
    public List<Claim> claim(org.apache.camel.Exchange exchange) {
        exchange.setProperty(MORE, false);
        if (exchange.getContext().isStopping()) {
            return List.of(); // what is claimed now would only be taken back when the lease runs out
        }
        java.util.Set<String> paused = pauses.pausedTargets();
        if (paused.contains("crm") || preflight.holdsEvents()) {
            return List.of(); // paused work, and work for a CRM that refuses it (crm health says why), stays in the inbox
        }
        var state = breaker.getState();
        if (state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN
                || state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.FORCED_OPEN
                || limits.heldFor("crm", crm.provider()).compareTo(java.time.Duration.ZERO) > 0) {
            return List.of(); // the CRM is down or asked to slow down: work waits in the inbox, not on failing calls
        }
        // a half-open breaker lets a few probe calls through: claim no more than those
        int limit = state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN
                ? Math.min(batchSize, breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState()) : batchSize;
        // no more than this process has room for: the claims that end wake the claimer again (ClaimRoom)
        limit = Math.min(limit, room.room());
        if (limit == 0) {
            return List.of();
        }
        boolean crmBatches = crm.batchSize() > 1;
        if (crmBatches && state != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN) {
            // whole CRM batches: a claim of pulled records leaves no remainder waiting in the aggregator, where it
            // would go as a partial batch (a call of the budget for fewer records) if the next claim is held back
            limit = wholeBatches(limit, batches.batchSize());
        }
        // a feature's kill switch (ai, esign) holds its work in the inbox; everything else goes on
        java.util.List<String> held = new java.util.ArrayList<>(5);
        for (io.sluice.store.PausableWork work : pausable) {
            if (paused.contains(work.target())) {
                held.addAll(work.sources());
            }
        }
        if (crmBatches && pulledInFlight.size() >= BATCHES_AHEAD * batches.batchSize()) {
            // this process has enough pulled records on hand: the rest of a backfill waits in the inbox (PulledInFlight)
            held.addAll(backfillSources);
        }
        List<io.sluice.inbox.InboxClaims.Claimed> claimed = claims.claimReceived(limit, held);
        List<Claim> taken = new java.util.ArrayList<>(claimed.size());
        List<String> group = new java.util.ArrayList<>();
        for (io.sluice.inbox.InboxClaims.Claimed c : claimed) {
            if (!c.retry() && groupedSources.contains(c.source())) {
                group.add(c.id()); // a retry goes alone: it failed before, and goes on retrying by itself
            } else {
                taken.add(new Claim(c.id(), crmBatches && backfillSources.contains(c.source())));
            }
        }
        if (!group.isEmpty()) {
            // handed over here, not by inbox-claim's route: a version of it that does not know groups (an operator's,
            // or an earlier release's during a rolling update) cannot pass a group on wrongly
            room.grouped(group);
            try {
                handOver.send(GROUP_PATH, group);
            } catch (RuntimeException e) {
                // no batch writer took it (its route stopped or missing, a stop): the events go one by one, as claimed
                room.groupDone(group);
                log.warn("A group of {} claimed events could not go to the batch writers ({}); each goes alone", group.size(),
                        FailedAttemptRecorder.describe(e));
                group.forEach(id -> taken.add(new Claim(id, false)));
            }
        }
        pulledInFlight.claimed(taken.stream().filter(Claim::batched).map(Claim::id).toList());
        // a full claim leaves more in the inbox, most likely: claim again at once rather than at the next poll or wake.
        // Not for a claim of retries only: events due again at once would cycle at the consumers' speed; the poll paces them
        exchange.setProperty(MORE, claimed.size() >= limit && state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED
                && claimed.stream().anyMatch(c -> !c.retry()));
        return taken;
    }

    /** {@code limit} rounded up to a multiple of {@code batch}. */
    static int wholeBatches(int limit, int batch) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) limit + batch - 1) / batch * batch);
    }
}
