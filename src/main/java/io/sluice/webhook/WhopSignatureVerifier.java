package io.sluice.webhook;

import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.springframework.stereotype.Component;

import java.time.Clock;

/** Camel step: verifies a Whop webhook over the exact bytes received; leaves those bytes as the body. */
@Component("whopSignatureVerifier")
public class WhopSignatureVerifier {

    private final StandardWebhookVerifier verifier;
    private final Clock clock;

    public WhopSignatureVerifier(WhopWebhookSecrets secrets, WebhookProperties webhook, Clock clock) {
        this.verifier = new StandardWebhookVerifier(secrets.hmacKeys(), webhook.toleranceSeconds());
        this.clock = clock;
    }

    @Handler
    public void verify(Exchange exchange) {
        var message = exchange.getMessage();
        byte[] body = message.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        verifier.verify(
                message.getHeader("webhook-id", String.class),
                message.getHeader("webhook-timestamp", String.class),
                message.getHeader("webhook-signature", String.class),
                body,
                clock.instant());
        message.setBody(body);
    }
}
