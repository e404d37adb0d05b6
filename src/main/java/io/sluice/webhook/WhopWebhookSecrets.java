package io.sluice.webhook;

import io.sluice.config.GeneratedSecrets;
import io.sluice.config.SluiceProperties;
import io.sluice.config.WhopProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Whop webhook secrets in force. {@code WHOP_WEBHOOK_SECRET} may list several, comma-separated, during a
 * rotation. When none is set, a local secret is generated in the data directory so that the embedded default
 * can be tried with {@code scripts/send-sample-webhook.sh}; Whop's own deliveries need the real one.
 */
@Component
public class WhopWebhookSecrets {

    private static final Logger log = LoggerFactory.getLogger(WhopWebhookSecrets.class);

    private final List<String> secrets;

    public WhopWebhookSecrets(SluiceProperties properties, WhopProperties whop) {
        List<String> configured = whop.webhookSecrets().stream()
                .flatMap(s -> java.util.Arrays.stream(s.split(",")))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        if (configured.isEmpty()) {
            log.warn("WHOP_WEBHOOK_SECRET is not set: only webhooks signed with the generated local secret are accepted");
            configured = List.of(GeneratedSecrets.readOrCreate(properties.dataDir().resolve("whop-webhook-secret"),
                    () -> "ws_" + GeneratedSecrets.randomHex(32), "a local Whop webhook secret"));
        }
        this.secrets = configured;
    }

    /** HMAC keys: the UTF-8 bytes of each whole secret, {@code ws_} prefix included. */
    public List<byte[]> hmacKeys() {
        return secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
