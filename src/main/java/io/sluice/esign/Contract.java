package io.sluice.esign;

import java.time.Instant;
import java.util.List;

/**
 * A contract Sluice sends or sent: its template and signers, the provider's id for it once known, where it is,
 * and the deal (membership) and person it belongs to.
 *
 * @param origin  {@code api} (POST /api/contracts) or {@code rule:<name>} (a send rule)
 * @param onceKey makes the request once-only: {@code rule:<name>:<membership id>} (a rule sends once per membership) or
 *                {@code api:<Idempotency-Key>}; null for none
 */
public record Contract(String id, String provider, String providerId, ContractStatus status, String templateId,
                       String subject, String message, List<Signer> signers, Instant expiresAt, boolean expiryApplied,
                       String membershipId, String personEmail, String origin, String onceKey, String lastError,
                       Instant createdAt, Instant updatedAt, Instant sentAt, Instant finishedAt) {

    /** The signer with this email (case-insensitive), or null. */
    public Signer signer(String email) {
        if (email == null) {
            return null;
        }
        return signers.stream().filter(s -> s.email().equalsIgnoreCase(email.trim())).findFirst().orElse(null);
    }
}
