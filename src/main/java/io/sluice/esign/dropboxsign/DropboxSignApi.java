package io.sluice.esign.dropboxsign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.esign.Contract;
import io.sluice.esign.ContractStatus;
import io.sluice.esign.ContractStep;
import io.sluice.esign.ESignFailures;
import io.sluice.esign.ESignProperties;
import io.sluice.esign.ESignProvider;
import io.sluice.esign.ESignRejectedException;
import io.sluice.esign.ProviderDocument;
import io.sluice.esign.ProviderStatus;
import io.sluice.esign.Signer;
import io.sluice.esign.callback.CallbackEvent;
import io.sluice.esign.callback.DropboxSignCallbacks;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Dropbox Sign API v3: signature requests sent with a template, Sluice's contract id in
 * the metadata (echoed in every event), the expiry set by a second call (send_with_template has none), cancellation
 * asked for and confirmed by its event. The callback hash covers only time and type, so {@link #confirm} re-fetches
 * the request and believes an event only as far as the fetched request bears it out.
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "dropboxsign")
public class DropboxSignApi implements ESignProvider {

    private static final Logger log = LoggerFactory.getLogger(DropboxSignApi.class);

    private final ApiHttpClient http;
    private final ESignProperties.DropboxSign config;
    private final ObjectMapper json;
    private final Clock clock;

    public DropboxSignApi(ESignProperties properties, ApiHttpClients clients, ObjectMapper json, Clock clock) {
        this.config = properties.dropboxsign();
        String basic = "Basic " + Base64.getEncoder().encodeToString((config.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
        this.http = clients.create("esign", ESignFailures.INSTANCE, "dropboxsign", () -> config.baseUrl().toString(),
                () -> Map.of("Authorization", basic), "DROPBOXSIGN_API_KEY", config.maxRequests(), config.per(), this::classify);
        this.json = json;
        this.clock = clock;
    }

    /** A request that no longer exists (404, 410: canceled or removed) says so, for {@link #confirm}. */
    private RuntimeException classify(ApiRequest request, ApiResponse response) {
        if ("signature_request.get".equals(request.operation()) && (response.status() == 404 || response.status() == 410)) {
            return new RequestGoneException("Dropbox Sign answered HTTP " + response.status() + " for signature request " + request.path());
        }
        if (response.status() == 409 && "signature_request.files".equals(request.operation())) {
            return new io.sluice.esign.ESignException("Dropbox Sign is still preparing the files (HTTP 409); try again shortly", true,
                    java.time.Duration.ofSeconds(30));
        }
        return null;
    }

    @Override
    public String name() {
        return "dropboxsign";
    }

    @Override
    public String send(Contract contract, Consumer<String> created) {
        JsonNode answer = http.send(new ApiRequest("signature_request.send_with_template", "POST",
                "/signature_request/send_with_template", null, sendWithTemplate(contract))).json();
        String id = answer.path("signature_request").path("signature_request_id").asText(null);
        if (id == null) {
            throw new ESignRejectedException("Dropbox Sign accepted contract " + contract.id() + " but named no signature_request_id");
        }
        return id;
    }

    ObjectNode sendWithTemplate(Contract contract) {
        ObjectNode body = json.createObjectNode();
        body.putArray("template_ids").add(contract.templateId());
        if (contract.subject() != null) {
            body.put("subject", contract.subject());
        }
        if (contract.message() != null) {
            body.put("message", contract.message());
        }
        ArrayNode signers = body.putArray("signers");
        for (Signer signer : contract.signers()) {
            signers.addObject().put("role", signer.role()).put("name", signer.name()).put("email_address", signer.email());
        }
        body.putObject("metadata").put(DropboxSignCallbacks.CONTRACT_KEY, contract.id());
        if (config.clientId() != null) {
            body.put("client_id", config.clientId());
        }
        if (config.testMode()) {
            body.put("test_mode", true);
        }
        return body;
    }

    /** Sets the expiry, which send_with_template cannot carry, on the request just sent. */
    @Override
    public void afterSend(Contract contract) {
        if (contract.expiresAt() == null || contract.expiryApplied()) {
            return;
        }
        ProviderStatus sent = status(contract.providerId());
        if (sent.signers().isEmpty()) {
            throw new ESignRejectedException("Dropbox Sign signature request " + contract.providerId() + " has no signatures to set the expiry on");
        }
        ObjectNode body = json.createObjectNode().put("signature_id", sent.signers().get(0).id())
                .put("expires_at", contract.expiresAt().getEpochSecond());
        http.send(new ApiRequest("signature_request.update", "POST", "/signature_request/update/" + contract.providerId(), null, body));
    }

    @Override
    public ProviderStatus status(String requestId) {
        JsonNode request = http.send(new ApiRequest("signature_request.get", "GET", "/signature_request/" + requestId, null, null))
                .json().path("signature_request");
        List<ProviderStatus.SignerStatus> signers = new ArrayList<>();
        for (JsonNode s : request.path("signatures")) {
            signers.add(new ProviderStatus.SignerStatus(s.path("signature_id").asText(null), s.path("signer_email_address").asText(null),
                    s.path("signer_name").asText(null), s.path("signer_role").asText(null), s.path("status_code").asText(null),
                    s.path("decline_reason").asText(null)));
        }
        boolean complete = request.path("is_complete").asBoolean(false);
        boolean declined = request.path("is_declined").asBoolean(false);
        Instant expiresAt = request.path("expires_at").isNumber() ? Instant.ofEpochSecond(request.path("expires_at").asLong()) : null;
        String status = complete ? "complete" : declined ? "declined" : request.path("has_error").asBoolean(false) ? "error" : "awaiting_signature";
        return new ProviderStatus(status, complete, declined, expiresAt, signers);
    }

    @Override
    public VoidOutcome voidContract(Contract contract, String reason) {
        http.send(new ApiRequest("signature_request.cancel", "POST", "/signature_request/cancel/" + contract.providerId(), null, null));
        return VoidOutcome.REQUESTED; // an empty 200 only queues the cancellation; signature_request_canceled confirms it
    }

    @Override
    public ProviderDocument download(String requestId) {
        ApiResponse response = http.send(new ApiRequest("signature_request.files", "GET", "/signature_request/files/" + requestId,
                "file_type=pdf", null, null, "application/pdf"));
        return new ProviderDocument(response.body(), "application/pdf");
    }

    /**
     * Re-fetches the signature request and keeps the event only as far as the request bears it out: completed only when
     * {@code is_complete}, declined only when {@code is_declined}, signed only when that signature is signed, expired
     * only past {@code expires_at}, canceled only when Sluice asked for it or the request is gone. Signer names and
     * reasons come from the fetched request, not from the unsigned body.
     */
    @Override
    public CallbackEvent confirm(Contract contract, CallbackEvent event) {
        ProviderStatus fetched;
        try {
            fetched = status(event.providerId());
        } catch (RequestGoneException gone) {
            return event.step() == ContractStep.VOIDED ? event : unconfirmed(event, "the signature request is gone");
        }
        ProviderStatus.SignerStatus signer = fetched.signer(event.actorId());
        boolean confirmed = switch (event.step()) {
            case COMPLETED -> fetched.complete();
            case DECLINED -> fetched.declined();
            case SIGNED -> signer != null && "signed".equals(signer.status());
            case EXPIRED -> fetched.expiresAt() != null && !fetched.expiresAt().isAfter(clock.instant());
            case VOIDED -> contract.status() == ContractStatus.VOID_REQUESTED || contract.status() == ContractStatus.VOIDED;
            case SENT, VIEWED -> true;
        };
        if (!confirmed) {
            return unconfirmed(event, "the signature request as fetched does not show it");
        }
        if (signer == null && event.step() == ContractStep.DECLINED) {
            signer = fetched.signers().stream().filter(s -> "declined".equals(s.status())).findFirst().orElse(null);
        }
        return new CallbackEvent(event.eventId(), event.type(), event.providerId(), event.contractId(), event.step(),
                signer == null ? event.actorId() : signer.id(), signer == null ? null : signer.email(), signer == null ? null : signer.name(),
                signer == null ? null : signer.declineReason(), event.occurredAt(), event.json());
    }

    private static CallbackEvent unconfirmed(CallbackEvent event, String why) {
        log.warn("Dropbox Sign event {} for signature request {} not acted on: {}", event.type(), event.providerId(), why);
        return null;
    }

    /** Dropbox Sign no longer has the signature request. */
    static final class RequestGoneException extends ESignRejectedException {
        RequestGoneException(String message) {
            super(message);
        }
    }
}
