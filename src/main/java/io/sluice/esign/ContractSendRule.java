package io.sluice.esign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inbox.StoredEvent;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Camel step of {@code esign-send-rule} (routes/esign-send.camel.yaml): after a membership event was applied to the
 * CRM, asks for each matching {@code sluice.esign.rules} entry's contract, once per membership and rule (the request's
 * once-key is {@code rule:<name>:<membership id>}), however often the event is replayed or redelivered.
 */
@Component("contractSendRule")
public class ContractSendRule implements io.sluice.inbox.AppliedChangeFollowUp {

    private static final Logger log = LoggerFactory.getLogger(ContractSendRule.class);

    private final ESignProperties properties;
    private final ContractService contracts;
    private final ObjectMapper json;
    private final io.sluice.inbox.EventLog events;

    public ContractSendRule(ESignProperties properties, ContractService contracts, ObjectMapper json, io.sluice.inbox.EventLog events) {
        this.events = events;
        this.properties = properties;
        this.contracts = contracts;
        this.json = json;
    }

    /** The batch path's call: {@link #requestIfDue(StoredEvent)}, or for a duplicate {@link #requestIfDueAsDuplicate}. */
    @Override
    public void afterApplied(StoredEvent event, boolean duplicate) throws IOException {
        if (duplicate) {
            requestIfDueAsDuplicate(event);
        } else {
            requestIfDue(event);
        }
    }

    public void requestIfDue(Exchange exchange) throws IOException {
        if (io.sluice.event.PipelineExchange.applied(exchange)) { // else stale (or not applied): a newer state decides
            afterApplied(exchange.getProperty(io.sluice.event.PipelineExchange.STORED, StoredEvent.class),
                    io.sluice.event.PipelineExchange.duplicate(exchange));
        }
    }

    /**
     * For an event whose change a sibling applied first (its pulled record): its rule still runs, unless a newer state
     * of the membership has been applied since (it deactivated, say), which decides instead. A change that went
     * stale is remembered too, so this is what keeps its duplicates from sending.
     */
    public void requestIfDueAsDuplicate(StoredEvent event) throws IOException {
        if (event != null && !events.newerApplied(event.subjectKey(), event.occurredAt())) {
            requestIfDue(event);
        }
    }

    /**
     * After {@code event}'s change was applied, by this event or by a sibling with the same change (a pulled record of
     * the membership applied first makes the webhook a duplicate): asks for the contracts a rule on the event's type
     * is due. Both paths call it, so whichever applied the change, the webhook's rule still runs; the once-key keeps
     * it to one contract.
     */
    public void requestIfDue(StoredEvent event) throws IOException {
        if (properties.rules().isEmpty()) {
            return;
        }
        JsonNode data = null;
        for (ESignProperties.SendRule rule : properties.rules()) {
            if (!rule.on().contains(event.type())) {
                continue;
            }
            if (data == null) {
                data = json.readTree(event.payload()).path("data");
            }
            String product = data.path("product").path("id").asText(null);
            String status = data.path("status").asText(null);
            String membershipId = data.path("id").asText(null);
            if (membershipId == null || !rule.products().contains(product) || !rule.statuses().contains(status)) {
                continue;
            }
            String email = data.path("user").path("email").asText(null);
            if (email == null || email.isBlank()) {
                log.warn("Send rule {}: membership {} has no user email; no contract requested", rule.name(), membershipId);
                continue;
            }
            String name = data.path("user").path("name").asText("");
            String productTitle = data.path("product").path("title").asText(product);
            List<Signer> signers = new ArrayList<>();
            signers.add(new Signer(rule.customerRole(), name.isBlank() ? email : name, email, null));
            signers.addAll(rule.signers());
            var requested = contracts.request(new NewContract(rule.template(), signers, fill(rule.subject(), productTitle, name),
                    fill(rule.message(), productTitle, name), rule.expiresIn() == null ? null : (int) rule.expiresIn().toDays(),
                    membershipId, email, "rule:" + rule.name(), "rule:" + rule.name() + ":" + membershipId));
            if (requested.created()) {
                log.info("Send rule {}: contract {} requested for membership {} ({})", rule.name(), requested.contract().id(),
                        membershipId, productTitle);
            }
        }
    }

    /** {@code {product}} and {@code {name}} in a rule's subject or message. */
    private static String fill(String text, String product, String name) {
        return text == null ? null : text.replace("{product}", product).replace("{name}", name);
    }
}
