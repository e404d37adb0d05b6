package io.sluice.support;

import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmWriteResult;
import io.sluice.mapping.CrmFieldSchema;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real local CRM connector, made to fail for chosen event ids: {@link #failFor} as a defect would (waiting cannot
 * fix it), {@link #unavailableFor} as a CRM that is down would (a retryable failure).
 */
public class FaultyCrm implements CrmConnector {

    private final CrmConnector delegate;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> unavailable = ConcurrentHashMap.newKeySet();
    private volatile boolean down;
    private final java.util.Map<String, Runnable> beforeWrite = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();

    public FaultyCrm(CrmConnector delegate) {
        this.delegate = delegate;
    }

    public void failFor(String eventId) {
        failing.add(eventId);
    }

    public void unavailableFor(String eventId) {
        unavailable.add(eventId);
    }

    /** Runs {@code action} when the write of {@code eventId} starts (say, a sibling event finishing meanwhile). */
    public void whenWriting(String eventId, Runnable action) {
        beforeWrite.put(eventId, action);
    }

    /** Every write fails as a CRM that is down would, until {@link #heal}. */
    public void goDown() {
        down = true;
    }

    /** Heals every fault and starts counting failures again. */
    public void heal() {
        failures.set(0);
        down = false;
        failing.clear();
        unavailable.clear();
        beforeWrite.clear();
    }

    public int failures() {
        return failures.get();
    }

    @Override
    public String provider() {
        return delegate.provider();
    }

    @Override
    public CrmFieldSchema fieldSchema() {
        return delegate.fieldSchema();
    }

    @Override
    public java.util.List<java.util.Map<String, Object>> preview(CrmChange change) {
        return delegate.preview(change);
    }

    @Override
    public io.sluice.crm.CrmCheck check(io.sluice.crm.CrmRequirements requirements) {
        return delegate.check(requirements);
    }

    @Override
    public int batchSize() {
        return delegate.batchSize();
    }

    @Override
    public boolean groupsLiveEvents() {
        return delegate.groupsLiveEvents();
    }

    @Override
    public java.util.List<io.sluice.crm.BatchOutcome> applyBatch(java.util.List<CrmChange> changes) {
        if (down) {
            failures.addAndGet(changes.size());
            throw new io.sluice.crm.CrmException("local CRM store unavailable", true, null);
        }
        java.util.List<CrmChange> healthy = changes.stream().filter(c -> !failing.contains(c.eventId()) && !unavailable.contains(c.eventId())).toList();
        java.util.Iterator<io.sluice.crm.BatchOutcome> written = delegate.applyBatch(healthy).iterator();
        return changes.stream().map(c -> {
            if (failing.contains(c.eventId()) || unavailable.contains(c.eventId())) {
                failures.incrementAndGet();
                return io.sluice.crm.BatchOutcome.failed(new IllegalStateException("CRM store unavailable for " + c.eventId()));
            }
            return written.next();
        }).toList();
    }

    @Override
    public CrmWriteResult apply(CrmChange change) {
        Runnable action = beforeWrite.remove(change.eventId());
        if (action != null) {
            action.run();
        }
        if (down || unavailable.contains(change.eventId())) {
            failures.incrementAndGet();
            throw new io.sluice.crm.CrmException("local CRM store unavailable for " + change.eventId(), true, null);
        }
        if (failing.contains(change.eventId())) {
            failures.incrementAndGet();
            throw new IllegalStateException("local CRM connector broken for " + change.eventId());
        }
        return delegate.apply(change);
    }
}
