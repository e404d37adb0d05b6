package io.sluice.ai;

/** The model provider's quota or billing is exhausted ({@code insufficient_quota}): retrying cannot help until someone acts. */
public class AiQuotaException extends AiCallException {

    public AiQuotaException(String message) {
        super(message, false, null);
    }
}
