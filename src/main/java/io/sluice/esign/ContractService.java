package io.sluice.esign;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.esign.ContractStore;
import io.sluice.inbox.EventLog;
import io.sluice.store.PauseStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What operators and send rules do with contracts: ask for one to be sent (stored with a send request in the inbox,
 * so it is sent, retried and dead-lettered like any event, and held by the {@code esign} kill switch), void one,
 * fetch its document.
 */
@Service
public class ContractService {

    /** The inbox source and type of send requests. */
    public static final String SOURCE = "sluice-esign";
    public static final String SEND_REQUESTED = "esign.send.requested";
    private static final Logger log = LoggerFactory.getLogger(ContractService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_SIGNERS = 20;

    /** A contract, and whether this request made it (false: the once-key named an earlier one). */
    public record Requested(Contract contract, boolean created) {
    }

    private final ContractStore store;
    private final EventLog eventLog;
    private final ObjectProvider<ESignProvider> provider;
    private final PauseStore pauses;
    private final ESignProperties properties;
    private final ObjectMapper json;
    private final Clock clock;

    public ContractService(ContractStore store, EventLog eventLog, ObjectProvider<ESignProvider> provider, PauseStore pauses,
                           ESignProperties properties, ObjectMapper json, Clock clock) {
        this.store = store;
        this.eventLog = eventLog;
        this.provider = provider;
        this.pauses = pauses;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Stores the contract and its send request in one transaction.
     *
     * @throws IllegalArgumentException naming the field when the request is not valid
     * @throws IllegalStateException when e-sign is off
     */
    @Transactional
    public Requested request(NewContract request) {
        if (!properties.enabled()) {
            throw new IllegalStateException("e-sign is off: set ESIGN_PROVIDER (docusign, dropboxsign or pandadoc) and its credentials");
        }
        validate(request);
        if (request.onceKey() != null) {
            var earlier = store.findByOnceKey(request.onceKey());
            if (earlier.isPresent()) {
                return new Requested(earlier.get(), false);
            }
        }
        Instant now = clock.instant();
        String personEmail = request.personEmail() != null ? request.personEmail() : request.signers().get(0).email();
        Contract contract = new Contract("ctr_" + HexFormat.of().formatHex(randomBytes()),
                properties.provider(), null, ContractStatus.QUEUED, request.templateId().trim(), blankToNull(request.subject()),
                blankToNull(request.message()), normalised(request.signers()),
                request.expiresInDays() == null ? null : now.plus(Duration.ofDays(request.expiresInDays())), false,
                blankToNull(request.membershipId()), personEmail.trim().toLowerCase(Locale.ROOT), request.origin(), request.onceKey(),
                null, now, now, null, null);
        if (!store.insert(contract)) {
            // a concurrent request with the same once-key won
            return new Requested(store.findByOnceKey(request.onceKey()).orElseThrow(), false);
        }
        try {
            eventLog.insertIfAbsent(new CanonicalEvent("esign-send:" + contract.id(), SOURCE, SEND_REQUESTED, now, contract.id(),
                    json.writeValueAsBytes(Map.of("contractId", contract.id())), EventStatus.RECEIVED, null, contract.personEmail()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        log.info("Contract {} queued ({}, template {}, {} signer(s){})", contract.id(), request.origin(), contract.templateId(),
                contract.signers().size(), contract.membershipId() == null ? "" : ", membership " + contract.membershipId());
        return new Requested(store.find(contract.id()).orElseThrow(), true);
    }

    public Contract get(String id) {
        return store.find(id).orElseThrow(() -> new NoSuchElementException("no contract " + id));
    }

    /** The contract as its provider reports it now. */
    public ProviderStatus live(Contract contract) {
        requireAtProvider(contract);
        return api().status(contract.providerId());
    }

    /**
     * Voids a contract in progress: one not sent yet is canceled here, a sent one is voided at the provider (Dropbox
     * Sign confirms later, by its callback).
     */
    public Contract voidContract(String id, String reason) {
        Contract contract = get(id);
        if (pauses.isPaused("esign")) {
            throw new IllegalStateException("e-sign is paused (the esign kill switch): resume it to void contract " + id);
        }
        String why = reason == null || reason.isBlank() ? "Voided by operator" : reason.trim();
        if (why.length() > 200) {
            throw new IllegalArgumentException("reason is longer than 200 characters");
        }
        switch (contract.status()) {
            case QUEUED -> {
                if (store.cancelQueued(id)) {
                    log.info("Contract {} canceled before it was sent", id);
                    return get(id);
                }
                return voidContract(id, reason); // it was sent in the meantime
            }
            case VOID_REQUESTED -> {
                return contract;
            }
            case COMPLETED, DECLINED, VOIDED, EXPIRED, CANCELED -> throw new IllegalStateException("contract " + id + " is "
                    + contract.status() + "; only a contract in progress can be voided");
            default -> {
            }
        }
        ESignProvider.VoidOutcome outcome = api().voidContract(contract, why);
        if (contract.status() == ContractStatus.CREATED) {
            store.cancelCreated(id);
        } else if (outcome == ESignProvider.VoidOutcome.REQUESTED) {
            store.requestVoid(id);
        } else {
            store.voidSent(id);
        }
        store.recordError(id, null);
        log.info("Contract {} {} at {}: {}", id, outcome == ESignProvider.VoidOutcome.REQUESTED ? "void requested" : "voided",
                contract.provider(), why);
        return get(id);
    }

    public ProviderDocument document(String id) {
        Contract contract = get(id);
        requireAtProvider(contract);
        return api().download(contract.providerId());
    }

    private void requireAtProvider(Contract contract) {
        if (contract.providerId() == null || !contract.status().atProvider()) {
            throw new IllegalStateException("contract " + contract.id() + " is " + contract.status() + ": it has no document at "
                    + contract.provider() + " yet");
        }
    }

    private ESignProvider api() {
        ESignProvider api = provider.getIfAvailable();
        if (api == null) {
            throw new IllegalStateException("e-sign is off: set ESIGN_PROVIDER");
        }
        return api;
    }

    private void validate(NewContract request) {
        require(request.templateId(), "template", 200);
        if (request.signers() == null || request.signers().isEmpty()) {
            throw new IllegalArgumentException("signers: at least one signer is required");
        }
        if (request.signers().size() > MAX_SIGNERS) {
            throw new IllegalArgumentException("signers: at most " + MAX_SIGNERS + " signers");
        }
        for (int i = 0; i < request.signers().size(); i++) {
            Signer signer = request.signers().get(i);
            if (signer == null) {
                throw new IllegalArgumentException("signers[" + i + "] is null");
            }
            require(signer.role(), "signers[" + i + "].role", 100);
            require(signer.name(), "signers[" + i + "].name", 200);
            requireEmail(signer.email(), "signers[" + i + "].email");
            if (signer.order() != null && (signer.order() < 1 || signer.order() > 100)) {
                throw new IllegalArgumentException("signers[" + i + "].order must be between 1 and 100");
            }
        }
        limit(request.subject(), "subject", 100);
        limit(request.message(), "message", 4000);
        limit(request.membershipId(), "membershipId", 100);
        if (request.personEmail() != null) {
            requireEmail(request.personEmail(), "personEmail");
        }
        if (request.expiresInDays() != null) {
            if (request.expiresInDays() < 1 || request.expiresInDays() > 365) {
                throw new IllegalArgumentException("expiresInDays must be between 1 and 365");
            }
            if ("pandadoc".equals(properties.provider())) {
                throw new IllegalArgumentException("expiresInDays cannot be set with PandaDoc, whose API sets no expiry: "
                        + "set it in the template's settings");
            }
        }
    }

    private static void require(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        limit(value, field, max);
    }

    private static void limit(String value, String field, int max) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
    }

    private static void requireEmail(String value, String field) {
        require(value, field, 320);
        if (!value.trim().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException(field + " is not an email address");
        }
    }

    private static List<Signer> normalised(List<Signer> signers) {
        List<Signer> result = new ArrayList<>(signers.size());
        for (Signer s : signers) {
            result.add(new Signer(s.role().trim(), s.name().trim(), s.email().trim().toLowerCase(Locale.ROOT), s.order()));
        }
        return result;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
