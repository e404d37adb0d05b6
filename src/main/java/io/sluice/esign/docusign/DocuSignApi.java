package io.sluice.esign.docusign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.esign.Contract;
import io.sluice.esign.ESignFailures;
import io.sluice.esign.ESignProperties;
import io.sluice.esign.ESignProvider;
import io.sluice.esign.ESignRejectedException;
import io.sluice.esign.ProviderDocument;
import io.sluice.esign.ProviderStatus;
import io.sluice.esign.Signer;
import io.sluice.esign.callback.DocuSignCallbacks;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * DocuSign eSignature REST v2.1: envelopes created and sent from a template in one
 * call, with the template roles filled, Sluice's contract id as a hidden custom field and, when
 * {@code sluice.esign.public-url} is set, a Connect notification of their own; voided by status; downloaded combined.
 */
@Component
@ConditionalOnProperty(name = "sluice.esign.provider", havingValue = "docusign")
public class DocuSignApi implements ESignProvider {

    /** The Connect events an envelope asks for when it carries its own notification. */
    static final List<String> EVENTS = List.of("envelope-sent", "envelope-delivered", "envelope-completed", "envelope-declined",
            "envelope-voided", "recipient-delivered", "recipient-completed", "recipient-declined");

    private final ApiHttpClient http;
    private final String accountPath;
    private final String callbackUrl;
    private final ObjectMapper json;
    private final Clock clock;

    public DocuSignApi(ESignProperties properties, ApiHttpClients clients, ObjectMapper json, Clock clock) {
        ESignProperties.DocuSign config = properties.docusign();
        DocuSignTokens tokens = new DocuSignTokens(clients, config, clock);
        this.http = clients.create("esign", ESignFailures.INSTANCE, "docusign", tokens::restBase,
                () -> Map.of("Authorization", "Bearer " + tokens.accessToken()),
                "DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and the consent for the signature and impersonation scopes",
                config.maxRequests(), config.per(), null);
        this.accountPath = "/v2.1/accounts/" + config.accountId();
        this.callbackUrl = properties.publicUrl() == null ? null
                : properties.publicUrl().toString().replaceAll("/+$", "") + "/webhooks/esign/docusign";
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "docusign";
    }

    @Override
    public String send(Contract contract, Consumer<String> created) {
        ApiResponse response = http.send(new ApiRequest("envelope.create", "POST", accountPath + "/envelopes", null, envelope(contract)));
        String envelopeId = response.json().path("envelopeId").asText(null);
        if (envelopeId == null) {
            throw new ESignRejectedException("DocuSign accepted the envelope of contract " + contract.id() + " but named no envelopeId");
        }
        return envelopeId;
    }

    /** The envelope definition, strings where DocuSign wants them. */
    ObjectNode envelope(Contract contract) {
        ObjectNode body = json.createObjectNode();
        body.put("templateId", contract.templateId());
        ArrayNode roles = body.putArray("templateRoles");
        for (Signer signer : contract.signers()) {
            ObjectNode role = roles.addObject().put("roleName", signer.role()).put("name", signer.name()).put("email", signer.email());
            if (signer.order() != null) {
                role.put("routingOrder", signer.order().toString());
            }
        }
        if (contract.subject() != null) {
            body.put("emailSubject", contract.subject());
        }
        if (contract.message() != null) {
            body.put("emailBlurb", contract.message());
        }
        body.put("status", "sent");
        if (contract.expiresAt() != null) {
            long days = Math.max(1, Duration.between(clock.instant(), contract.expiresAt()).plusHours(12).toDays());
            body.putObject("notification").put("useAccountDefaults", "false")
                    .putObject("expirations").put("expireEnabled", "true").put("expireAfter", Long.toString(days));
        }
        body.putObject("customFields").putArray("textCustomFields").addObject()
                .put("name", DocuSignCallbacks.CONTRACT_FIELD).put("value", contract.id()).put("show", "false");
        if (callbackUrl != null) {
            ObjectNode notification = body.putObject("eventNotification");
            notification.put("url", callbackUrl).put("deliveryMode", "SIM").put("includeHMAC", "true").put("requireAcknowledgment", "true");
            EVENTS.forEach(notification.putArray("events")::add);
            ObjectNode data = notification.putObject("eventData").put("version", "restv2.1").put("format", "json");
            data.putArray("includeData").add("recipients").add("custom_fields");
        }
        return body;
    }

    @Override
    public ProviderStatus status(String envelopeId) {
        JsonNode envelope = http.send(new ApiRequest("envelope.get", "GET", accountPath + "/envelopes/" + envelopeId, "include=recipients", null)).json();
        List<ProviderStatus.SignerStatus> signers = new ArrayList<>();
        for (JsonNode s : envelope.path("recipients").path("signers")) {
            signers.add(new ProviderStatus.SignerStatus(s.path("recipientId").asText(null), s.path("email").asText(null),
                    s.path("name").asText(null), s.path("roleName").asText(null), s.path("status").asText(null),
                    s.path("declinedReason").asText(null)));
        }
        String status = envelope.path("status").asText("");
        return new ProviderStatus(status, "completed".equals(status), "declined".equals(status), null, signers);
    }

    @Override
    public VoidOutcome voidContract(Contract contract, String reason) {
        ObjectNode body = json.createObjectNode().put("status", "voided").put("voidedReason", reason);
        http.send(new ApiRequest("envelope.void", "PUT", accountPath + "/envelopes/" + contract.providerId(), null, body));
        return VoidOutcome.CONFIRMED;
    }

    @Override
    public ProviderDocument download(String envelopeId) {
        ApiResponse response = http.send(new ApiRequest("envelope.download", "GET", accountPath + "/envelopes/" + envelopeId
                + "/documents/combined", null, null, null, "application/pdf"));
        return new ProviderDocument(response.body(), "application/pdf");
    }
}
