package io.sluice.esign;

import io.sluice.esign.ContractStore;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.NoSuchElementException;

/**
 * Records the steps of a contract, one at a time per contract (its row is locked), once per reporting event. A step
 * moves the contract's status only forward; whether it did is kept with the step, so processing the same event
 * again (a retry after a CRM failure) decides the same way.
 */
@Component
public class ContractSteps {

    /** A step as recorded, with the contract after it; {@code firstTime} is false when the event was recorded before. */
    public record Recorded(Contract contract, ContractStore.Step step, boolean firstTime) {
    }

    private final ContractStore store;

    public ContractSteps(ContractStore store) {
        this.store = store;
    }

    @Transactional
    public Recorded record(String contractId, String eventId, ContractStep step, String actor, String detail, Instant occurredAt) {
        Contract contract = store.lock(contractId).orElseThrow(() -> new NoSuchElementException("no contract " + contractId));
        var earlier = store.stepOfEvent(eventId);
        if (earlier.isPresent()) {
            return new Recorded(contract, earlier.get(), false);
        }
        boolean advanced = step.advances(contract.status());
        store.recordStep(contractId, eventId, step, actor, detail, advanced, occurredAt);
        if (advanced) {
            store.moveTo(contractId, step.status());
        }
        return new Recorded(store.find(contractId).orElseThrow(), store.stepOfEvent(eventId).orElseThrow(), true);
    }

    /** The provider sent the contract as {@code providerId}: marks it SENT and records the step for {@code eventId}. */
    @Transactional
    public Recorded recordSent(String contractId, String providerId, String eventId, String detail, Instant at) {
        Contract contract = store.lock(contractId).orElseThrow(() -> new NoSuchElementException("no contract " + contractId));
        var earlier = store.stepOfEvent(eventId);
        if (earlier.isPresent()) {
            return new Recorded(contract, earlier.get(), false);
        }
        boolean advanced = store.markSent(contractId, providerId);
        store.recordStep(contractId, eventId, ContractStep.SENT, null, detail, advanced, at);
        return new Recorded(store.find(contractId).orElseThrow(), store.stepOfEvent(eventId).orElseThrow(), true);
    }
}
