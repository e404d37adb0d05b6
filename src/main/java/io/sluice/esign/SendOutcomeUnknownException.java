package io.sluice.esign;

/**
 * Sending a contract failed in a way that leaves open whether the provider created it (the answer timed out). Sending
 * again could send the signers a second copy, so the request becomes a dead letter at once, naming the contract; an
 * operator checks the provider and replays it (sends again) or leaves it.
 */
public class SendOutcomeUnknownException extends ESignRejectedException {

    public SendOutcomeUnknownException(String message) {
        super(message);
    }
}
