package io.sluice.esign.callback;

import org.apache.camel.Message;

import java.util.List;

/** One provider's callbacks: how they are signed, and what the events in them mean. */
public interface CallbackScheme {

    /** The provider's name in {@code /webhooks/esign/{provider}}. */
    String provider();

    /**
     * Verifies the delivery and reads the events in it (PandaDoc sends several at once).
     *
     * @throws io.sluice.webhook.WebhookRejection 401 when a signature is missing or does not match; 400 (an
     *         {@link io.sluice.webhook.InvalidWebhookPayloadException}) when a signed body cannot be read
     */
    List<CallbackEvent> read(Message request, byte[] body);

    /** Reads one event back from the JSON {@link #read} stored for it. */
    CallbackEvent parse(byte[] json);

    /** The answer body the provider expects, or null for Sluice's JSON receipt. */
    default String acknowledgement() {
        return null;
    }

    /** The status of a successful answer: the provider's own rule where it has one, else Sluice's (202 new, 200 duplicate). */
    default int successStatus(boolean duplicate) {
        return duplicate ? 200 : 202;
    }
}
