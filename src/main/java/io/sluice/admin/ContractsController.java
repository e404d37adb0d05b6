package io.sluice.admin;

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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    private final ContractService contracts;
    private final ContractStore store;

    ContractsController(ContractService contracts, ContractStore store) {
        this.contracts = contracts;
        this.store = store;
    }

    /** 202 with the queued contract; with an {@code Idempotency-Key} seen before, 200 with that earlier contract. */
    @PostMapping
    ResponseEntity<Map<String, Object>> send(@RequestBody SendRequest body,
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
    Page<Map<String, Object>> list(@RequestParam(required = false) String status, @RequestParam(required = false) String membershipId,
                                   @RequestParam(required = false) Integer limit, @RequestParam(required = false) String before) {
        Page<Contract> page = store.list(parseStatus(status), membershipId, Limits.of(limit), before);
        return new Page<>(page.items().stream().map(c -> view(c, false)).toList(), page.next());
    }

    /** {@code ?live=true} adds the provider's own view of the contract, asked now. */
    @GetMapping("/{id}")
    Map<String, Object> one(@PathVariable String id, @RequestParam(defaultValue = "false") boolean live) {
        Contract contract = contracts.get(id);
        Map<String, Object> body = view(contract, true);
        if (live) {
            ProviderStatus status = contracts.live(contract);
            body.put("live", status);
        }
        return body;
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
    ResponseEntity<Map<String, Object>> voidContract(@PathVariable String id, @RequestParam(required = false) String reason) {
        Contract contract = contracts.voidContract(id, reason);
        return ResponseEntity.status(contract.status() == ContractStatus.VOID_REQUESTED ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(view(contract, true));
    }

    private Map<String, Object> view(Contract c, boolean withHistory) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("provider", c.provider());
        m.put("providerId", c.providerId());
        m.put("status", c.status());
        m.put("template", c.templateId());
        m.put("subject", c.subject());
        m.put("signers", c.signers());
        m.put("membershipId", c.membershipId());
        m.put("personEmail", c.personEmail());
        m.put("origin", c.origin());
        m.put("expiresAt", c.expiresAt());
        m.put("lastError", c.lastError());
        m.put("createdAt", c.createdAt());
        m.put("sentAt", c.sentAt());
        m.put("finishedAt", c.finishedAt());
        m.put("document", c.providerId() != null && c.status().atProvider() ? "/api/contracts/" + c.id() + "/document" : null);
        if (withHistory) {
            m.put("history", store.steps(c.id()).stream().map(s -> {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("step", s.step().word());
                step.put("actor", s.actor());
                step.put("detail", s.detail());
                step.put("advanced", s.advanced());
                step.put("occurredAt", s.occurredAt());
                step.put("eventId", s.eventId());
                return step;
            }).toList());
        }
        return m;
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
