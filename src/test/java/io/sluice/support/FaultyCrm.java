package io.sluice.support;

import io.sluice.crm.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmWriteResult;
import io.sluice.mapping.CrmFieldSchema;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The real local CRM connector, made to fail for chosen event ids, as a broken CRM store would. */
public class FaultyCrm implements CrmConnector {

    private final CrmConnector delegate;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();

    public FaultyCrm(CrmConnector delegate) {
        this.delegate = delegate;
    }

    public void failFor(String eventId) {
        failing.add(eventId);
    }

    public void heal() {
        failing.clear();
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
    public java.util.List<io.sluice.crm.BatchOutcome> applyBatch(java.util.List<CrmChange> changes) {
        java.util.List<CrmChange> healthy = changes.stream().filter(c -> !failing.contains(c.eventId())).toList();
        java.util.Iterator<io.sluice.crm.BatchOutcome> written = delegate.applyBatch(healthy).iterator();
        return changes.stream().map(c -> {
            if (failing.contains(c.eventId())) {
                failures.incrementAndGet();
                return io.sluice.crm.BatchOutcome.failed(new IllegalStateException("CRM store unavailable for " + c.eventId()));
            }
            return written.next();
        }).toList();
    }

    @Override
    public CrmWriteResult apply(CrmChange change) {
        if (failing.contains(change.eventId())) {
            failures.incrementAndGet();
            throw new IllegalStateException("local CRM store unavailable for " + change.eventId());
        }
        return delegate.apply(change);
    }
}
