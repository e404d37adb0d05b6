package io.sluice.esign;

import java.time.Instant;
import java.util.List;

/**
 * A contract as its provider reports it: the provider's own status word, whether it is complete or declined, and
 * each signer's state.
 */
public record ProviderStatus(String status, boolean complete, boolean declined, Instant expiresAt, List<SignerStatus> signers) {

    /** One signer as the provider reports them; {@code id} is the provider's (recipient id, signature id). */
    public record SignerStatus(String id, String email, String name, String role, String status, String declineReason) {
    }

    public SignerStatus signer(String id) {
        return id == null ? null : signers.stream().filter(s -> id.equals(s.id())).findFirst().orElse(null);
    }
}
