package io.sluice.esign.callback;

import io.sluice.esign.ESignProperties;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.webhook.InvalidWebhookPayloadException;
import io.sluice.webhook.WebhookRejection;
import io.sluice.webhook.WebhookSources;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Camel steps of {@code esign-callback} (routes/esign-callback.camel.yaml, made from the webhook ingress template in
 * routes/_templates/webhook-ingress.camel.yaml): {@link #verify}, the template's verifier, checks a callback at
 * {@code /webhooks/esign/{provider}} by that provider's scheme before the ingress throttle; {@link #parse}, its
 * parser, turns the events into canonical events for the inbox ({@code esign.<provider's type>}) after it. Events
 * Sluice does not act on are stored as IGNORED.
 */
@Component("esignCallbackIngress")
public class ESignCallbackIngress {

    /** The exchange property holding the scheme that read the callback, for the answer. */
    public static final String SCHEME = io.sluice.webhook.IngressAnswer.PROPERTY;

    private final ObjectProvider<CallbackScheme> scheme;
    private final ESignProperties properties;
    private final Clock clock;

    public ESignCallbackIngress(ObjectProvider<CallbackScheme> scheme, ESignProperties properties, Clock clock) {
        this.scheme = scheme;
        this.properties = properties;
        this.clock = clock;
    }

    /** Finds the provider's scheme and checks the signature; leaves the bytes received as the body. */
    public void verify(Exchange exchange) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        String source = WebhookSources.of("/webhooks/esign/" + provider);
        exchange.setProperty("SluiceSource", source); // a bounded metrics label
        CallbackScheme callbacks = scheme.getIfAvailable();
        if (callbacks == null || !callbacks.provider().equals(provider)) {
            throw new WebhookRejection(404, "not_configured", (source.equals(provider) ? "e-sign provider " + provider : "unknown e-sign provider")
                    + " is not configured here (ESIGN_PROVIDER=" + properties.provider() + ")");
        }
        exchange.setProperty(SCHEME, callbacks);
        byte[] body = body(exchange);
        callbacks.verify(exchange.getMessage(), body);
        exchange.getMessage().setBody(body);
    }

    /**
     * Verifies and parses in one call: what a route file of an earlier release asks for when it names this bean
     * without a method (before the ingress template split the two around the throttle).
     */
    @Handler
    public List<CanonicalEvent> read(Exchange exchange) {
        verify(exchange);
        return parse(exchange);
    }

    /** The events of a callback {@link #verify} passed, as the canonical events the inbox stores. */
    public List<CanonicalEvent> parse(Exchange exchange) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        CallbackScheme callbacks = exchange.getProperty(SCHEME, CallbackScheme.class);
        List<CallbackEvent> events = callbacks.read(exchange.getMessage(), body(exchange));
        List<CanonicalEvent> canonical = new ArrayList<>(events.size());
        for (CallbackEvent event : events) {
            String id = provider + ":" + event.eventId();
            if (id.length() > 255) {
                throw new InvalidWebhookPayloadException(id.substring(0, 200), "the event's identity is longer than 255 characters");
            }
            String type = "esign." + event.type();
            if (type.length() > 160) {
                throw new InvalidWebhookPayloadException(id, "the event type is longer than 150 characters");
            }
            if (event.providerId() != null && event.providerId().length() > 200) {
                throw new InvalidWebhookPayloadException(id, "the envelope, request or document id is longer than 200 characters");
            }
            canonical.add(new CanonicalEvent(id, provider, type, event.occurredAt() == null ? clock.instant() : event.occurredAt(),
                    event.providerId(), event.json(), event.step() == null ? EventStatus.IGNORED : EventStatus.RECEIVED, null, null));
        }
        return canonical;
    }

    private static byte[] body(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }
}
