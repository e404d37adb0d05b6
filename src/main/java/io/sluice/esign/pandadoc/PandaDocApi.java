package io.sluice.esign.pandadoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.esign.Contract;
import io.sluice.esign.ContractStatus;
import io.sluice.esign.ESignException;
import io.sluice.esign.ESignFailures;
import io.sluice.esign.ESignProperties;
import io.sluice.esign.ESignProvider;
import io.sluice.esign.ESignRejectedException;
import io.sluice.esign.ProviderDocument;
import io.sluice.esign.ProviderStatus;
import io.sluice.esign.Signer;
import io.sluice.esign.callback.PandaDocCallbacks;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * PandaDoc public API v1: a document is created from the template, becomes
 * {@code document.draft} a few seconds later, and only then can be sent. The document id is recorded as soon as
 * PandaDoc assigns it, so a retry after any later failure waits for that document instead of creating another.
 * Voiding sets the status to 11 ({@code document.voided}); a draft never sent is deleted instead.
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "pandadoc")
public class PandaDocApi implements ESignProvider {

    private static final String DOCUMENTS = "/public/v1/documents";
    /** Statuses of a document that was sent already (a retry must not send it again). */
    private static final Set<String> SENT_OR_LATER = Set.of("document.sent", "document.viewed", "document.waiting_approval",
            "document.approved", "document.waiting_pay", "document.paid", "document.completed", "document.declined",
            "document.rejected", "document.voided", "document.external_review");

    private final ApiHttpClient http;
    private final ESignProperties.PandaDoc config;
    private final ObjectMapper json;

    public PandaDocApi(ESignProperties properties, ApiHttpClients clients, ObjectMapper json) {
        this.config = properties.pandadoc();
        String authorization = "API-Key " + config.apiKey();
        this.http = clients.create("esign", ESignFailures.INSTANCE, "pandadoc", () -> config.baseUrl().toString(),
                () -> Map.of("Authorization", authorization), "PANDADOC_API_KEY", config.maxRequests(), config.per(), null);
        this.json = json;
    }

    @Override
    public String name() {
        return "pandadoc";
    }

    @Override
    public String send(Contract contract, Consumer<String> created) {
        String documentId = contract.providerId();
        if (documentId == null) {
            JsonNode document = http.send(new ApiRequest("document.create", "POST", DOCUMENTS, null, createBody(contract))).json();
            documentId = document.path("id").asText(null);
            if (documentId == null) {
                throw new ESignRejectedException("PandaDoc accepted contract " + contract.id() + " but named no document id");
            }
            created.accept(documentId);
        }
        String status = awaitDraft(contract, documentId);
        if (!SENT_OR_LATER.contains(status)) {
            ObjectNode send = json.createObjectNode();
            if (contract.subject() != null) {
                send.put("subject", contract.subject());
            }
            if (contract.message() != null) {
                send.put("message", contract.message());
            }
            send.put("silent", false);
            http.send(new ApiRequest("document.send", "POST", DOCUMENTS + "/" + documentId + "/send", null, send));
        }
        return documentId;
    }

    ObjectNode createBody(Contract contract) {
        ObjectNode body = json.createObjectNode();
        body.put("name", contract.subject() != null ? contract.subject() : "Contract " + contract.id());
        body.put("template_uuid", contract.templateId());
        ArrayNode recipients = body.putArray("recipients");
        for (Signer signer : contract.signers()) {
            ObjectNode r = recipients.addObject().put("email", signer.email()).put("first_name", signer.firstName())
                    .put("last_name", signer.lastName()).put("role", signer.role());
            if (signer.order() != null) {
                r.put("signing_order", signer.order());
            }
        }
        body.putObject("metadata").put(PandaDocCallbacks.CONTRACT_KEY, contract.id());
        return body;
    }

    /** Asks until the document is a draft (or was sent already); PandaDoc needs a few seconds after creating it. */
    private String awaitDraft(Contract contract, String documentId) {
        long deadline = System.nanoTime() + config.draftWait().toNanos();
        while (true) {
            String status = status(documentId).status();
            if ("document.draft".equals(status) || SENT_OR_LATER.contains(status)) {
                return status;
            }
            if ("document.error".equals(status)) {
                throw new ESignRejectedException("PandaDoc could not make document " + documentId + " of contract " + contract.id()
                        + " from template " + contract.templateId() + " (document.error): check the template and its roles");
            }
            if (System.nanoTime() > deadline) {
                throw new ESignException("PandaDoc document " + documentId + " of contract " + contract.id() + " is still " + status
                        + " after " + config.draftWait().toSeconds() + " s; it is sent once it becomes document.draft", true, null);
            }
            try {
                Thread.sleep(config.draftPollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ESignException("interrupted while waiting for PandaDoc document " + documentId, true, null);
            }
        }
    }

    @Override
    public ProviderStatus status(String documentId) {
        JsonNode document = http.send(new ApiRequest("document.get", "GET", DOCUMENTS + "/" + documentId, null, null)).json();
        String status = document.path("status").asText("");
        List<ProviderStatus.SignerStatus> signers = new ArrayList<>();
        for (JsonNode r : document.path("recipients")) {
            String name = (r.path("first_name").asText("") + " " + r.path("last_name").asText("")).trim();
            signers.add(new ProviderStatus.SignerStatus(r.path("id").asText(null), r.path("email").asText(null), name,
                    r.path("role").asText(null), r.path("has_completed").asBoolean(false) ? "completed" : "pending", null));
        }
        return new ProviderStatus(status, "document.completed".equals(status),
                "document.declined".equals(status) || "document.rejected".equals(status), null, signers);
    }

    @Override
    public VoidOutcome voidContract(Contract contract, String reason) {
        if (contract.status() == ContractStatus.CREATED) {
            http.send(new ApiRequest("document.delete", "DELETE", DOCUMENTS + "/" + contract.providerId(), null, null));
            return VoidOutcome.CONFIRMED;
        }
        ObjectNode body = json.createObjectNode().put("status", 11).put("note", reason).put("notify_recipients", true);
        http.send(new ApiRequest("document.void", "PATCH", DOCUMENTS + "/" + contract.providerId() + "/status", null, body));
        return VoidOutcome.CONFIRMED;
    }

    @Override
    public ProviderDocument download(String documentId) {
        ApiResponse response = http.send(new ApiRequest("document.download", "GET", DOCUMENTS + "/" + documentId + "/download",
                null, null, null, "application/pdf"));
        return new ProviderDocument(response.body(), "application/pdf");
    }
}
