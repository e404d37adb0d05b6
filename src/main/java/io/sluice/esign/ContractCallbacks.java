package io.sluice.esign;

import io.sluice.mapping.CrmChange;
import io.sluice.esign.callback.CallbackEvent;
import io.sluice.esign.callback.CallbackScheme;
import io.sluice.event.EventStatus;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.esign.ContractStore;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * Camel step of {@code esign-callback-apply} (routes/esign-callback.camel.yaml): a stored callback event becomes a
 * step of its contract and, through the mapping, a CRM change (body out), or an outcome without a CRM write (body
 * out null): an event about a contract Sluice did not send, or one the provider does not confirm.
 */
@Component("contractCallbacks")
public class ContractCallbacks {

    private static final Logger log = LoggerFactory.getLogger(ContractCallbacks.class);

    private final ObjectProvider<CallbackScheme> scheme;
    private final ObjectProvider<ESignProvider> provider;
    private final ContractStore store;
    private final ContractSteps steps;
    private final ContractChanges changes;
    private final SluiceMetrics metrics;

    public ContractCallbacks(ObjectProvider<CallbackScheme> scheme, ObjectProvider<ESignProvider> provider, ContractStore store,
                             ContractSteps steps, ContractChanges changes, SluiceMetrics metrics) {
        this.scheme = scheme;
        this.provider = provider;
        this.store = store;
        this.steps = steps;
        this.changes = changes;
        this.metrics = metrics;
    }

    /** Body in: the stored callback event; body out: the CRM change, or null when there is none to write. */
    public CrmChange apply(Exchange exchange) {
        StoredEvent stored = exchange.getMessage().getBody(StoredEvent.class);
        CallbackScheme callbacks = scheme.getIfAvailable();
        ESignProvider api = provider.getIfAvailable();
        if (callbacks == null || api == null || !callbacks.provider().equals(stored.source())) {
            // ESIGN_PROVIDER changed while this callback waited: keep it visible, act on nothing
            throw new ESignRejectedException("callback from " + stored.source() + " but ESIGN_PROVIDER is "
                    + (api == null ? "none" : api.name()) + "; set it back to replay this event");
        }
        CallbackEvent event = callbacks.parse(stored.payload());
        Optional<Contract> found = Optional.ofNullable(event.providerId()).flatMap(id -> store.findByProviderId(api.name(), id))
                .or(() -> Optional.ofNullable(event.contractId()).flatMap(store::find));
        if (found.isEmpty()) {
            if (event.contractId() != null) {
                // the provider echoes a Sluice contract id: its send is being recorded right now, so try again shortly
                throw new ESignException(api.name() + " reported " + event.type() + " for contract " + event.contractId()
                        + " before Sluice recorded sending it", true, null);
            }
            return without(exchange, EventStatus.IGNORED, "no contract Sluice sent has " + api.name() + " id " + event.providerId());
        }
        Contract contract = found.get();
        if (contract.providerId() == null && event.providerId() != null) {
            store.assignProviderId(contract.id(), event.providerId()); // the callback overtook the record of the send
        }
        CallbackEvent confirmed = api.confirm(contract, event);
        if (confirmed == null) {
            return without(exchange, EventStatus.IGNORED, api.name() + " does not confirm " + event.type() + " for contract " + contract.id()
                    + " when asked; nothing changed");
        }
        String actor = actor(contract, confirmed);
        ContractSteps.Recorded recorded = steps.record(contract.id(), stored.id(), confirmed.step(), actor, confirmed.reason(),
                confirmed.occurredAt() == null ? stored.receivedAt() : confirmed.occurredAt());
        if (recorded.firstTime()) {
            log.info("Contract {} {} ({}){}", contract.id(), confirmed.step().word(), api.name(),
                    recorded.step().advanced() ? " -> " + recorded.contract().status() : ", status stays " + recorded.contract().status());
            if (recorded.step().advanced() && confirmed.step() == ContractStep.COMPLETED) {
                metrics.contractSigned(api.name());
            }
        }
        String detail = "contract " + contract.id() + " " + ContractChanges.summary(recorded.contract(), recorded.step())
                + (recorded.step().advanced() ? "" : " (reported late: status stays " + recorded.contract().status() + ")");
        CrmChange change = changes.change(stored.id(), recorded.contract(), recorded.step(),
                confirmed.actorEmail() != null ? confirmed.actorEmail() : confirmed.actorId());
        if (change == null) {
            return without(exchange, EventStatus.DONE, detail + "; the active mapping writes no " + ContractChanges.type(confirmed.step()));
        }
        exchange.getMessage().setHeader(io.sluice.event.PipelineExchange.OUTCOME_DETAIL, detail);
        return change;
    }

    /** "Jane Roe <jane@example.com>": as the provider names the signer, completed from the contract's signers. */
    private static String actor(Contract contract, CallbackEvent event) {
        Signer known = contract.signer(event.actorEmail());
        if (known != null) {
            return known.describe();
        }
        if (event.actorEmail() != null) {
            return (event.actorName() == null ? "" : event.actorName() + " ") + "<" + event.actorEmail() + ">";
        }
        if (event.actorName() != null) {
            return event.actorName();
        }
        return null;
    }

    /** The event's outcome without a CRM write. */
    private static CrmChange without(Exchange exchange, EventStatus status, String detail) {
        io.sluice.event.PipelineExchange.outcome(exchange, status, detail);
        log.info("Callback {}: {}", exchange.getMessage().getHeader(io.sluice.event.PipelineExchange.EVENT_ID), detail);
        return null;
    }
}
