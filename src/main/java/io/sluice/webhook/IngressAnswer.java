package io.sluice.webhook;

/**
 * How a sender wants its delivery acknowledged, where it differs from Sluice's JSON receipt (an e-sign provider's
 * callback rule). Set on the exchange under {@link #PROPERTY} by the route's ingress step; read by
 * {@link WebhookResponder#callbackReceipt}.
 */
public interface IngressAnswer {

    /** The exchange property holding the sender's {@code IngressAnswer}. */
    String PROPERTY = "SluiceCallbackScheme";

    /** The answer body the sender expects, or null for Sluice's JSON receipt. */
    default String acknowledgement() {
        return null;
    }

    /** The status of a successful answer: the sender's own rule where it has one, else Sluice's (202 new, 200 duplicate). */
    default int successStatus(boolean duplicate) {
        return duplicate ? 200 : 202;
    }
}
