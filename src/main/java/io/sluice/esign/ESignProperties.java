package io.sluice.esign;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * E-signature: which provider sends contracts ({@code ESIGN_PROVIDER}), its credentials, the CRM stage a step moves
 * the deal to, and the rules that send a contract by themselves. Documented in docs/configuration.md and docs/esign.md.
 *
 * @param provider    none (e-sign off), docusign, dropboxsign or pandadoc
 * @param publicUrl   where the provider reaches this Sluice, e.g. https://sluice.example.com; DocuSign envelopes then
 *                    carry their own Connect notification to it
 * @param stages      contract step (sent, viewed, signed, completed, declined, voided, expired) to the Sluice stage
 *                    the deal moves to when that step first happens; completed moves it to won unless set empty
 * @param rules       rules that send a contract by themselves (docs/esign.md)
 * @param docusign    DocuSign's connection
 * @param dropboxsign Dropbox Sign's connection
 * @param pandadoc    PandaDoc's connection
 */
@Validated
@ConfigurationProperties("sluice.esign")
public record ESignProperties(
        @DefaultValue("none") @NotNull String provider,
        URI publicUrl,
        Map<String, String> stages,
        @DefaultValue List<@Valid SendRule> rules,
        @DefaultValue @Valid DocuSign docusign,
        @DefaultValue @Valid DropboxSign dropboxsign,
        @DefaultValue @Valid PandaDoc pandadoc) {

    public static final List<String> PROVIDERS = io.sluice.webhook.WebhookSources.ESIGN_PROVIDERS;
    private static final Set<String> SLUICE_STAGES = Set.of("trial", "won", "at_risk", "lost", "open");
    private static final Map<String, String> DEFAULT_STAGES = Map.of("completed", "won");

    public ESignProperties {
        provider = provider.trim().toLowerCase(Locale.ROOT);
        publicUrl = blankToNull(publicUrl);
        if (!PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("sluice.esign.provider (ESIGN_PROVIDER) = '" + provider
                    + "' is not available in this version; use one of " + PROVIDERS);
        }
        stages = normaliseStages(stages);
        if (!rules.isEmpty() && "none".equals(provider)) {
            throw new IllegalArgumentException("sluice.esign.rules are configured but sluice.esign.provider (ESIGN_PROVIDER) is none: "
                    + "set the provider that sends the contracts, or remove the rules");
        }
        Set<String> names = new java.util.HashSet<>();
        for (SendRule rule : rules) {
            if (!names.add(rule.name())) {
                throw new IllegalArgumentException("sluice.esign.rules: two rules are named '" + rule.name() + "'; names must be unique");
            }
        }
        switch (provider) {
            case "docusign" -> docusign.requireComplete();
            case "dropboxsign" -> dropboxsign.requireComplete();
            case "pandadoc" -> {
                pandadoc.requireComplete();
                for (SendRule rule : rules) {
                    if (rule.expiresIn() != null) {
                        throw new IllegalArgumentException("sluice.esign.rules[" + rule.name() + "].expires-in cannot be used with PandaDoc, "
                                + "whose API sets no expiry: set it in the template's settings instead");
                    }
                }
            }
            default -> { }
        }
    }

    public boolean enabled() {
        return !"none".equals(provider);
    }

    /** The Sluice stage a step moves the deal to, or null when that step leaves the stage alone. */
    public String stageFor(ContractStep step) {
        return stages.get(step.name().toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> normaliseStages(Map<String, String> configured) {
        // the default stays beside the steps an operator adds, unless one names it with an empty value
        Map<String, String> result = new LinkedHashMap<>(DEFAULT_STAGES);
        if (configured == null) {
            return result;
        }
        for (var entry : configured.entrySet()) {
            String step = entry.getKey().trim().toLowerCase(Locale.ROOT);
            String stage = entry.getValue() == null ? "" : entry.getValue().trim();
            if (ContractStep.named(step) == null) {
                throw new IllegalArgumentException("sluice.esign.stages." + entry.getKey() + ": unknown contract step; use one of "
                        + ContractStep.names());
            }
            if (stage.isEmpty()) {
                result.remove(step); // an empty value switches the default off
                continue;
            }
            if (!SLUICE_STAGES.contains(stage)) {
                throw new IllegalArgumentException("sluice.esign.stages." + entry.getKey() + " = '" + stage
                        + "' is not a stage; use one of " + SLUICE_STAGES.stream().sorted().toList());
            }
            result.put(step, stage);
        }
        return result;
    }

    /** An empty environment variable binds as an empty URI: treat it as unset. */
    private static URI blankToNull(URI value) {
        return value == null || value.toString().isBlank() ? null : value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void require(String value, String property, String env, String provider) {
        if (value == null) {
            throw new IllegalArgumentException(property + " (" + env + ") is required with ESIGN_PROVIDER=" + provider);
        }
    }

    /**
     * A rule that sends a contract by itself: when an applied event of a type in {@code on} says a membership for one
     * of {@code products} has a status in {@code statuses}, the member signs {@code template} as {@code customerRole},
     * then the {@code signers} listed here (a countersigner, say). Once per membership and rule.
     */
    public record SendRule(
            String name,
            @DefaultValue List<String> products,
            @DefaultValue("membership.activated") List<String> on,
            @DefaultValue("active") List<String> statuses,
            String template,
            String subject,
            String message,
            @DefaultValue("Customer") String customerRole,
            @DefaultValue List<Signer> signers,
            Duration expiresIn) {

        public SendRule {
            name = blankToNull(name);
            template = blankToNull(template);
            if (name == null || !name.matches("[A-Za-z0-9_-]{1,60}")) {
                throw new IllegalArgumentException("sluice.esign.rules[].name is required: 1-60 letters, digits, '-' or '_'");
            }
            if (template == null) {
                throw new IllegalArgumentException("sluice.esign.rules[" + name + "].template is required: the provider's template id");
            }
            if (products.isEmpty()) {
                throw new IllegalArgumentException("sluice.esign.rules[" + name + "].products is empty: list the Whop product ids "
                        + "(prod_...) whose memberships get this contract");
            }
            if (customerRole == null || customerRole.isBlank()) {
                throw new IllegalArgumentException("sluice.esign.rules[" + name + "].customer-role is required: the template role the member signs as");
            }
            if (expiresIn != null && (expiresIn.toDays() < 1 || expiresIn.toDays() > 365)) {
                throw new IllegalArgumentException("sluice.esign.rules[" + name + "].expires-in must be between 1 and 365 days");
            }
            List<Signer> checked = new ArrayList<>();
            for (Signer signer : signers) {
                if (signer.email() == null || signer.role() == null || signer.name() == null) {
                    throw new IllegalArgumentException("sluice.esign.rules[" + name + "].signers: each needs role, name and email");
                }
                checked.add(signer);
            }
            signers = List.copyOf(checked);
        }
    }

    /**
     * DocuSign eSignature v2.1 with the JWT grant. {@code baseUrl} (…/restapi) is read from
     * the account's {@code base_uri} when unset. {@code connectHmacKeys}: the Connect HMAC keys (several during a rotation).
     *
     * @param baseUrl         the REST host; unset: the account's base_uri plus /restapi
     * @param oauthBaseUrl    the OAuth server (account-d.docusign.com for the developer environment)
     * @param integrationKey  the integration key; required with docusign
     * @param userId          the user (GUID) the JWT grant acts as; required with docusign
     * @param accountId       the account; required with docusign
     * @param privateKeyFile  the integration's RSA private key, PEM; required with docusign
     * @param connectHmacKeys the Connect HMAC keys, comma-separated during a rotation; required with docusign
     * @param maxRequests     request budget (shared by the replicas on one PostgreSQL), in any window of per
     * @param per             the window of max-requests
     */
    public record DocuSign(
            URI baseUrl,
            @DefaultValue("https://account.docusign.com") @NotNull URI oauthBaseUrl,
            String integrationKey,
            String userId,
            String accountId,
            Path privateKeyFile,
            @DefaultValue List<String> connectHmacKeys,
            @DefaultValue("50") @Min(1) int maxRequests,
            @DefaultValue("60s") @NotNull Duration per) {

        public DocuSign {
            baseUrl = blankToNull(baseUrl);
            privateKeyFile = privateKeyFile == null || privateKeyFile.toString().isBlank() ? null : privateKeyFile;
            integrationKey = blankToNull(integrationKey);
            userId = blankToNull(userId);
            accountId = blankToNull(accountId);
            connectHmacKeys = connectHmacKeys.stream().flatMap(k -> java.util.Arrays.stream(k.split(",")))
                    .map(String::trim).filter(k -> !k.isEmpty()).toList();
        }

        void requireComplete() {
            require(integrationKey, "sluice.esign.docusign.integration-key", "DOCUSIGN_INTEGRATION_KEY", "docusign");
            require(userId, "sluice.esign.docusign.user-id", "DOCUSIGN_USER_ID", "docusign");
            require(accountId, "sluice.esign.docusign.account-id", "DOCUSIGN_ACCOUNT_ID", "docusign");
            require(privateKeyFile == null ? null : privateKeyFile.toString(), "sluice.esign.docusign.private-key-file",
                    "DOCUSIGN_PRIVATE_KEY_FILE", "docusign");
            if (connectHmacKeys.isEmpty()) {
                throw new IllegalArgumentException("sluice.esign.docusign.connect-hmac-keys (DOCUSIGN_CONNECT_HMAC_KEY) is required with "
                        + "ESIGN_PROVIDER=docusign: Connect callbacks are accepted only when their HMAC signature verifies");
            }
        }
    }

    /**
     * Dropbox Sign API v3: the API key authenticates calls and keys the callbacks' event hash.
     *
     * @param baseUrl     the Dropbox Sign API
     * @param apiKey      required with dropboxsign; also keys the callbacks' event_hash
     * @param testMode    send non-binding, watermarked requests
     * @param clientId    the API app whose callback URL receives the events
     * @param maxRequests request budget (shared by the replicas on one PostgreSQL), in any window of per
     * @param per         the window of max-requests
     */
    public record DropboxSign(
            @DefaultValue("https://api.hellosign.com/v3") @NotNull URI baseUrl,
            String apiKey,
            @DefaultValue("false") boolean testMode,
            String clientId,
            @DefaultValue("25") @Min(1) int maxRequests,
            @DefaultValue("60s") @NotNull Duration per) {

        public DropboxSign {
            apiKey = blankToNull(apiKey);
            clientId = blankToNull(clientId);
        }

        void requireComplete() {
            require(apiKey, "sluice.esign.dropboxsign.api-key", "DROPBOXSIGN_API_KEY", "dropboxsign");
        }
    }

    /**
     * PandaDoc public API v1. A document made from a template is sent once PandaDoc reports
     * it as {@code document.draft}: Sluice asks every {@code draftPollInterval}, for up to {@code draftWait}.
     *
     * @param baseUrl           the PandaDoc API
     * @param apiKey            required with pandadoc
     * @param webhookKey        the webhook subscription's shared key; required with pandadoc
     * @param maxRequests       request budget (shared by the replicas on one PostgreSQL), in any window of per
     * @param per               the window of max-requests
     * @param draftWait         how long a new document may take to become a draft before the send is retried
     * @param draftPollInterval how often Sluice asks whether it is a draft
     */
    public record PandaDoc(
            @DefaultValue("https://api.pandadoc.com") @NotNull URI baseUrl,
            String apiKey,
            String webhookKey,
            @DefaultValue("60") @Min(1) int maxRequests,
            @DefaultValue("60s") @NotNull Duration per,
            @DefaultValue("15s") @NotNull Duration draftWait,
            @DefaultValue("1s") @NotNull Duration draftPollInterval) {

        public PandaDoc {
            apiKey = blankToNull(apiKey);
            webhookKey = blankToNull(webhookKey);
        }

        void requireComplete() {
            require(apiKey, "sluice.esign.pandadoc.api-key", "PANDADOC_API_KEY", "pandadoc");
            require(webhookKey, "sluice.esign.pandadoc.webhook-key", "PANDADOC_WEBHOOK_KEY", "pandadoc");
        }
    }
}
