package io.sluice.esign;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.mapping.CrmChange;
import io.sluice.mapping.ActiveMapping;
import io.sluice.mapping.MappingEngine;
import io.sluice.esign.ContractStore;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns a contract step into a CRM change through the active mapping's {@code contract.<step>} types (docs/esign.md):
 * a note per step (keyed so that two reports of one step, or one signer's, make one note), and, when the step first
 * moved the contract forward and {@code sluice.esign.stages} names a stage for it, the deal's stage.
 */
@Component
public class ContractChanges {

    private final ActiveMapping mapping;
    private final ESignProperties properties;
    private final ObjectMapper json;

    public ContractChanges(ActiveMapping mapping, ESignProperties properties, ObjectMapper json) {
        this.mapping = mapping;
        this.properties = properties;
        this.json = json;
    }

    /** The mapping's event type for a step. */
    public static String type(ContractStep step) {
        return "contract." + step.word();
    }

    /**
     * The change for one recorded step, or null when the active mapping maps no {@code contract.<step>}.
     *
     * @param actorKey who the step is about (a signer's email or the provider's id for them), for the note key
     */
    public CrmChange change(String eventId, Contract contract, ContractStore.Step step, String actorKey) {
        String type = type(step.step());
        if (!mapping.handles(type)) {
            return null;
        }
        Instant at = step.occurredAt();
        ObjectNode envelope = json.createObjectNode();
        envelope.put("id", eventId);
        envelope.put("type", type);
        envelope.put("timestamp", at.toString());
        ObjectNode data = envelope.putObject("data");
        data.put("contractId", contract.id());
        data.put("provider", contract.provider());
        data.put("providerId", contract.providerId());
        data.put("template", contract.templateId());
        data.put("subject", contract.subject() == null ? "contract " + contract.id() : contract.subject());
        data.put("step", step.step().word());
        data.put("summary", summary(contract, step));
        data.put("actor", step.actor());
        data.put("reason", step.detail());
        data.put("personEmail", contract.personEmail());
        data.put("membershipId", contract.membershipId());
        data.put("occurredAt", at.toString());
        data.put("noteKey", noteKey(contract, step.step(), actorKey));
        String stage = properties.stageFor(step.step());
        if (step.advanced() && stage != null && contract.membershipId() != null) {
            // present only when this step moves the deal: the mapping's opportunity has no key otherwise, so it is left alone
            data.putObject("opportunity").put("membershipId", contract.membershipId()).put("stage", stage);
        }
        return MappingEngine.map(mapping.current(), eventId, type, envelope, at);
    }

    /** One note per contract and step, and per signer for the steps each signer takes. */
    static String noteKey(Contract contract, ContractStep step, String actorKey) {
        boolean perSigner = step == ContractStep.SIGNED || step == ContractStep.VIEWED;
        return "contract-" + contract.id() + "-" + step.word()
                + (perSigner && actorKey != null ? "-" + actorKey.toLowerCase(Locale.ROOT) : "");
    }

    /** What the note says happened: "signed by Jane Roe <jane@example.com>". */
    static String summary(Contract contract, ContractStore.Step step) {
        String actor = step.actor() == null ? null : step.actor();
        String reason = step.detail() == null || step.detail().isBlank() ? "" : ": " + step.detail();
        return switch (step.step()) {
            case SENT -> "sent to " + contract.signers().stream().map(Signer::describe).collect(Collectors.joining(", "));
            case VIEWED -> actor == null ? "viewed" : "viewed by " + actor;
            case SIGNED -> "signed by " + (actor == null ? "a signer" : actor);
            case COMPLETED -> "completed: signed by all " + contract.signers().size() + " signer(s)";
            case DECLINED -> "declined" + (actor == null ? "" : " by " + actor) + reason;
            case VOIDED -> "voided" + reason;
            case EXPIRED -> "expired" + reason;
        };
    }
}
