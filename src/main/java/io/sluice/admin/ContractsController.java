package io.sluice.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sluice.esign.Contract;
import io.sluice.esign.ContractService;
import io.sluice.esign.ContractStatus;
import io.sluice.esign.NewContract;
import io.sluice.esign.ProviderDocument;
import io.sluice.esign.ProviderStatus;
import io.sluice.esign.Signer;
import io.sluice.esign.ContractStore;
import io.sluice.store.Page;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * E-sign contracts: {@code POST /api/contracts} (send from a template), {@code GET /api/contracts[/{id}]} (status,
 * document link, history), {@code GET /api/contracts/{id}/document} (the PDF), {@code DELETE /api/contracts/{id}} (void).
 */
@RestController
@RequestMapping("/api/contracts")
class ContractsController {

    /** The body of {@code POST /api/contracts}. */
    record SendRequest(String template, List<Signer> signers, String subject, String message, Integer expiresInDays,
                       String membershipId, String personEmail) {
    }

    /**
     * A contract as an operator follows it; {@code document} links the signed PDF once the provider has it. The
     * whole contract adds its {@code history}, and {@code ?live=true} the provider's own view of it, asked now.
     */
    record ContractView(String id, String provider, String providerId, ContractStatus status, String template, String subject,
                        List<Signer> signers, String membershipId, String personEmail, String origin, Instant expiresAt,
                        String lastError, Instant createdAt, Instant sentAt, Instant finishedAt, String document,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<StepView> history,
                        @JsonInclude(JsonInclude.Include.NON_NULL) ProviderStatus live) {

        ContractView withLive(ProviderStatus status) {
            return new ContractView(id, provider, providerId, this.status, template, subject, signers, membershipId, personEmail,
                    origin, expiresAt, lastError, createdAt, sentAt, finishedAt, document, history, status);
        }
    }

    /** One step of a contract's history, and whether it advanced the contract. */
    record StepView(String step, String actor, String detail, boolean advanced, Instant occurredAt, String eventId) {
    }

    private final ContractService contracts;
    private final ContractStore store;

    ContractsController(ContractService contracts, ContractStore store) {
        this.contracts = contracts;
        this.store = store;
    }

    /** 202 with the queued contract; with an {@code Idempotency-Key} seen before, 200 with that earlier contract. */
    @PostMapping
    ResponseEntity<ContractView> send(@RequestBody SendRequest body,
                                             @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw new IllegalArgumentException("Idempotency-Key must be 1-200 characters");
        }
        var requested = contracts.request(new NewContract(body.template(), body.signers(), body.subject(), body.message(),
                body.expiresInDays(), body.membershipId(), body.personEmail(), "api",
                idempotencyKey == null ? null : "api:" + idempotencyKey.trim()));
        return ResponseEntity.status(requested.created() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .header("Location", "/api/contracts/" + requested.contract().id())
                .body(view(requested.contract(), false));
    }

    @GetMapping
    Page<ContractView> list(@RequestParam(required = false) String status, @RequestParam(required = false) String membershipId,
                            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String before) {
        Page<Contract> page = store.list(parseStatus(status), membershipId, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(c -> view(c, false)).toList(), page.next());
    }

    /** {@code ?live=true} adds the provider's own view of the contract, asked now. */
    @GetMapping("/{id}")
    ContractView one(@PathVariable String id, @RequestParam(defaultValue = "false") boolean live) {
        Contract contract = contracts.get(id);
        ContractView view = view(contract, true);
        return live ? view.withLive(contracts.live(contract)) : view;
    }

    @GetMapping("/{id}/document")
    ResponseEntity<byte[]> document(@PathVariable String id) {
        ProviderDocument document = contracts.document(id);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(document.contentType()))
                .header("Content-Disposition", "attachment; filename=\"" + id + ".pdf\"")
                .body(document.content());
    }

    /** Voids the contract; 202 when the provider confirms later (Dropbox Sign), else 200. */
    @DeleteMapping("/{id}")
    ResponseEntity<ContractView> voidContract(@PathVariable String id, @RequestParam(required = false) String reason) {
        Contract contract = contracts.voidContract(id, reason);
        return ResponseEntity.status(contract.status() == ContractStatus.VOID_REQUESTED ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(view(contract, true));
    }

    private ContractView view(Contract c, boolean withHistory) {
        List<StepView> history = !withHistory ? null : store.steps(c.id()).stream()
                .map(s -> new StepView(s.step().word(), s.actor(), s.detail(), s.advanced(), s.occurredAt(), s.eventId())).toList();
        return new ContractView(c.id(), c.provider(), c.providerId(), c.status(), c.templateId(), c.subject(), c.signers(),
                c.membershipId(), c.personEmail(), c.origin(), c.expiresAt(), c.lastError(), c.createdAt(), c.sentAt(),
                c.finishedAt(), c.providerId() != null && c.status().atProvider() ? "/api/contracts/" + c.id() + "/document" : null,
                history, null);
    }

    private static ContractStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return ContractStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown status '" + status + "'; expected one of " + List.of(ContractStatus.values()));
        }
    }
}
