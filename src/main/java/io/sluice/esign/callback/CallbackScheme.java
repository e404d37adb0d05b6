package io.sluice.esign.callback;

import org.apache.camel.Message;

import java.util.List;

/** One provider's callbacks: how they are signed, and what the events in them mean. */
public interface CallbackScheme extends io.sluice.webhook.IngressAnswer {

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

}
