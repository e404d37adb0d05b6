package io.sluice.esign.callback;

import org.apache.camel.Message;

import java.util.List;

/** One provider's callbacks: how they are signed, and what the events in them mean. */
public interface CallbackScheme extends io.sluice.webhook.IngressAnswer {

    /** The provider's name in {@code /webhooks/esign/{provider}}. */
    String provider();

    /**
     * Checks the delivery's signature, before the ingress throttle: an unsigned flood is refused without spending
     * the budget of the provider's own callbacks.
     *
     * @throws io.sluice.webhook.WebhookRejection 401 when a signature is missing or does not match; 400 (an
     *         {@link io.sluice.webhook.InvalidWebhookPayloadException}) when what carries the signature cannot be
     *         read (Dropbox Sign signs a field of its event)
     */
    void verify(Message request, byte[] body);

    /**
     * Reads the events of a delivery {@link #verify} passed (PandaDoc sends several at once).
     *
     * @throws io.sluice.webhook.InvalidWebhookPayloadException 400 when the signed body cannot be read
     */
    List<CallbackEvent> read(Message request, byte[] body);

    /** Reads one event back from the JSON {@link #read} stored for it. */
    CallbackEvent parse(byte[] json);

}
