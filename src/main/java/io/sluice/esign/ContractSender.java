package io.sluice.esign;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.mapping.CrmChange;
import io.sluice.event.EventStatus;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.esign.ContractStore;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Clock;
import java.util.NoSuchElementException;

/**
 * Camel step of {@code esign-send} (routes/esign-send.camel.yaml): sends a queued contract through the provider, once.
 * A contract that reached the provider is never sent again by a retry or replay of its request; a send whose outcome
 * is unknown (the answer timed out) becomes a dead letter at once instead of a second copy for the signers.
 */
@Component("contractSender")
public class ContractSender {

    private static final Logger log = LoggerFactory.getLogger(ContractSender.class);

    private final ObjectProvider<ESignProvider> provider;
    private final ContractStore store;
    private final ContractSteps steps;
    private final ContractChanges changes;
    private final SluiceMetrics metrics;
    private final ObjectMapper json;
    private final Clock clock;

    public ContractSender(ObjectProvider<ESignProvider> provider, ContractStore store, ContractSteps steps, ContractChanges changes,
                          SluiceMetrics metrics, ObjectMapper json, Clock clock) {
        this.clock = clock;
        this.provider = provider;
        this.store = store;
        this.steps = steps;
        this.changes = changes;
        this.metrics = metrics;
        this.json = json;
    }

    /** Body in: the stored send request; body out: the CRM change noting the send, or null when there is none. */
    public CrmChange send(Exchange exchange) throws IOException {
        StoredEvent request = exchange.getMessage().getBody(StoredEvent.class);
        String contractId = json.readTree(request.payload()).path("contractId").asText();
        Contract contract = store.find(contractId).orElseThrow(() ->
                new NoSuchElementException("send request " + request.id() + " names contract " + contractId + ", which is not stored"));
        if (contract.status() == ContractStatus.CANCELED) {
            io.sluice.event.PipelineExchange.outcome(exchange, EventStatus.IGNORED, "contract " + contractId + " was voided before it was sent; nothing sent");
            return null;
        }
        ESignProvider api = provider.getIfAvailable();
        if (api == null || !api.name().equals(contract.provider())) {
            throw new ESignRejectedException("contract " + contractId + " is for " + contract.provider() + " but ESIGN_PROVIDER is "
                    + (api == null ? "none" : api.name()) + "; set it back to replay this send");
        }
        String providerId = contract.status().atProvider() ? contract.providerId() : sendOnce(api, contract);
        if (store.stepOfEvent(request.id()).isEmpty()) {
            if (providerId == null) {
                throw new ESignException("contract " + contractId + " is " + contract.status() + " but its " + api.name()
                        + " id is not known yet", true, null);
            }
            ContractSteps.Recorded sent = steps.recordSent(contractId, providerId, request.id(), null, clock.instant());
            if (sent.firstTime()) {
                metrics.contractSent(api.name());
                log.info("Contract {} sent by {} as {} to {} signer(s)", contractId, api.name(), providerId, contract.signers().size());
            }
        }
        contract = store.find(contractId).orElseThrow();
        if (contract.expiresAt() != null && !contract.expiryApplied()) {
            api.afterSend(contract);
            store.markExpiryApplied(contractId);
        }
        ContractStore.Step step = store.stepOfEvent(request.id()).orElseThrow();
        String detail = "contract " + contractId + " " + ContractChanges.summary(contract, step);
        CrmChange change = changes.change(request.id(), contract, step, null);
        if (change == null) {
            io.sluice.event.PipelineExchange.outcome(exchange, EventStatus.DONE, detail + "; the active mapping writes no contract.sent");
            return null;
        }
        exchange.getMessage().setHeader(io.sluice.event.PipelineExchange.OUTCOME_DETAIL, detail);
        return change;
    }

    private String sendOnce(ESignProvider api, Contract contract) {
        try {
            return api.send(contract, createdId -> store.markCreated(contract.id(), createdId));
        } catch (ESignException e) {
            Contract now = store.find(contract.id()).orElseThrow();
            boolean unknown = !(e instanceof ESignRejectedException) && e.mayHaveReachedProvider() && now.providerId() == null;
            String error = unknown
                    ? "sending contract " + contract.id() + " may or may not have reached " + api.name() + " (" + e.getMessage()
                    + "); look for it there (" + api.name() + " metadata sluice_contract_id / custom field sluiceContractId = "
                    + contract.id() + "): replay this dead letter only if it is not there"
                    : e.getMessage();
            store.recordError(contract.id(), error);
            throw unknown ? new SendOutcomeUnknownException(error) : e;
        }
    }
}
