package io.sluice.esign;

/**
 * The e-sign provider refused for a reason waiting cannot fix: the credential, the template or role names, the data.
 * The event becomes a dead letter at once, with the provider's message; fix the cause, then replay.
 */
public class ESignRejectedException extends ESignException {

    public ESignRejectedException(String message) {
        super(message, false, null);
    }
}
