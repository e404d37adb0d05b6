package io.sluice.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verifies Standard Webhooks signatures: HMAC-SHA256 over {@code <id>.<timestamp>.<raw body>}, sent as one or
 * more space-separated {@code v1,<base64>} entries. The timestamp is checked first, then every configured key
 * (rotation) against every {@code v1} entry, in constant time.
 */
public final class StandardWebhookVerifier {

    private static final String ALGORITHM = "HmacSHA256";

    private final List<SecretKeySpec> keys;
    private final long toleranceSeconds;

    /** @param keys the HMAC keys as raw bytes (for Whop: the UTF-8 bytes of the whole {@code ws_…} secret) */
    public StandardWebhookVerifier(List<byte[]> keys, long toleranceSeconds) {
        this.keys = keys.stream().map(k -> new SecretKeySpec(k, ALGORITHM)).toList();
        this.toleranceSeconds = toleranceSeconds;
    }

    public void verify(String id, String timestamp, String signatureHeader, byte[] body, Instant now) {
        requireHeader("webhook-id", id);
        requireHeader("webhook-timestamp", timestamp);
        requireHeader("webhook-signature", signatureHeader);
        checkTimestamp(timestamp, now);
        List<byte[]> candidates = v1Signatures(signatureHeader);
        if (candidates.isEmpty()) {
            throw WebhookRejection.unauthorized("bad_signature",
                    "webhook-signature has no v1 entry (expected one or more space-separated 'v1,<base64>')");
        }
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (SecretKeySpec key : keys) {
            byte[] expected = hmac(key, prefix, body);
            for (byte[] candidate : candidates) {
                // no early exit: every comparison is constant-time and all of them run
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        if (!match) {
            throw WebhookRejection.unauthorized("bad_signature",
                    "webhook-signature does not match the body for any configured secret");
        }
    }

    private static void requireHeader(String name, String value) {
        if (value == null || value.isBlank()) {
            throw WebhookRejection.unauthorized("missing_header", "missing header " + name);
        }
    }

    private void checkTimestamp(String timestamp, Instant now) {
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw WebhookRejection.unauthorized("bad_timestamp", "webhook-timestamp is not a Unix time in seconds");
        }
        long skew = now.getEpochSecond() - seconds;
        if (skew > toleranceSeconds) {
            throw WebhookRejection.unauthorized("bad_timestamp",
                    "webhook-timestamp is too old (more than " + toleranceSeconds + " s before now)");
        }
        if (-skew > toleranceSeconds) {
            throw WebhookRejection.unauthorized("bad_timestamp",
                    "webhook-timestamp is too new (more than " + toleranceSeconds + " s after now)");
        }
    }

    private static List<byte[]> v1Signatures(String header) {
        List<byte[]> result = new ArrayList<>(2);
        for (String entry : header.trim().split("\\s+")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !"v1".equals(entry.substring(0, comma))) {
                continue; // unknown versions are skipped, as the standard says
            }
            try {
                result.add(Base64.getDecoder().decode(entry.substring(comma + 1)));
            } catch (IllegalArgumentException ignored) {
                // not base64: cannot match, try the other entries
            }
        }
        return result;
    }

    private static byte[] hmac(SecretKeySpec key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
