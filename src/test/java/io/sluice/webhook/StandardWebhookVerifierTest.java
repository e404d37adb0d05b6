package io.sluice.webhook;

import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Standard Webhooks verification on a fixed clock: the tolerance's exact edges both ways, several secrets during a
 * rotation, several signatures in one header, and the reason each refusal names.
 */
class StandardWebhookVerifierTest {

    private static final Instant NOW = Instant.parse("2026-01-20T14:03:11Z");
    private static final String OLD_SECRET = "ws_0ld5ecret0000000000000000000000000000000000000000000000000000000";
    private static final byte[] BODY = "{\"type\":\"membership.activated\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);

    private final StandardWebhookVerifier verifier = new StandardWebhookVerifier(
            List.of(OLD_SECRET.getBytes(StandardCharsets.UTF_8), Webhooks.SECRET.getBytes(StandardCharsets.UTF_8)), 300);

    @Test
    void aTimestampExactlyAtTheToleranceIsAcceptedOneSecondBeyondItIsNot() {
        long now = NOW.getEpochSecond();
        assertThatCode(() -> verify(now - 300)).doesNotThrowAnyException();
        assertThatCode(() -> verify(now + 300)).doesNotThrowAnyException();

        assertThat(refusal(() -> verify(now - 301))).satisfies(r -> {
            assertThat(r.outcome()).isEqualTo("bad_timestamp");
            assertThat(r.getMessage()).isEqualTo("webhook-timestamp is too old (more than 300 s before now)");
        });
        assertThat(refusal(() -> verify(now + 301)).getMessage()).isEqualTo("webhook-timestamp is too new (more than 300 s after now)");
    }

    @Test
    void anySecretOfARotationAndAnySignatureOfTheHeaderMayMatch() {
        long ts = NOW.getEpochSecond();
        String byOld = Webhooks.sign(OLD_SECRET, "msg_1", ts, BODY);
        String byOther = Webhooks.sign("ws_an0ther000000000000000000000000000000000000000000000000000000000", "msg_1", ts, BODY);

        assertThatCode(() -> verifier.verify("msg_1", String.valueOf(ts), byOld, BODY, NOW)).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verify("msg_1", String.valueOf(ts), "v2,AAAA " + byOther + " " + byOld, BODY, NOW))
                .doesNotThrowAnyException();
        assertThat(refusal(() -> verifier.verify("msg_1", String.valueOf(ts), byOther, BODY, NOW)).getMessage())
                .isEqualTo("webhook-signature does not match the body for any configured secret");
    }

    @Test
    void theSignatureCoversTheIdTheTimestampAndEveryByteOfTheBody() {
        long ts = NOW.getEpochSecond();
        String signature = Webhooks.sign(Webhooks.SECRET, "msg_1", ts, BODY);
        byte[] changed = BODY.clone();
        changed[changed.length - 2] = ' ';

        assertThat(refusal(() -> verifier.verify("msg_2", String.valueOf(ts), signature, BODY, NOW)).outcome()).isEqualTo("bad_signature");
        assertThat(refusal(() -> verifier.verify("msg_1", String.valueOf(ts - 1), signature, BODY, NOW)).outcome()).isEqualTo("bad_signature");
        assertThat(refusal(() -> verifier.verify("msg_1", String.valueOf(ts), signature, changed, NOW)).outcome()).isEqualTo("bad_signature");
    }

    @Test
    void missingAndMalformedHeadersAreNamed() {
        String ts = String.valueOf(NOW.getEpochSecond());
        String signature = Webhooks.sign(Webhooks.SECRET, "msg_1", NOW.getEpochSecond(), BODY);

        assertThat(refusal(() -> verifier.verify(" ", ts, signature, BODY, NOW)).getMessage()).isEqualTo("missing header webhook-id");
        assertThat(refusal(() -> verifier.verify("msg_1", null, signature, BODY, NOW)).getMessage()).isEqualTo("missing header webhook-timestamp");
        assertThat(refusal(() -> verifier.verify("msg_1", ts, "", BODY, NOW)).getMessage()).isEqualTo("missing header webhook-signature");
        assertThat(refusal(() -> verifier.verify("msg_1", "yesterday", signature, BODY, NOW)).getMessage())
                .isEqualTo("webhook-timestamp is not a Unix time in seconds");
        assertThat(refusal(() -> verifier.verify("msg_1", ts, "v2," + signature.substring(3), BODY, NOW)).getMessage())
                .startsWith("webhook-signature has no v1 entry");
        assertThat(refusal(() -> verifier.verify("msg_1", ts, "v1,!!!not-base64!!!", BODY, NOW)).getMessage())
                .startsWith("webhook-signature has no v1 entry");
        assertThat(refusal(() -> verifier.verify("msg_1", ts, signature, BODY, NOW))).as("the genuine one").isNull();
    }

    private void verify(long timestamp) {
        verifier.verify("msg_1", String.valueOf(timestamp), Webhooks.sign(Webhooks.SECRET, "msg_1", timestamp, BODY), BODY, NOW);
    }

    private static WebhookRejection refusal(Runnable call) {
        WebhookRejection rejection = catchThrowableOfType(WebhookRejection.class, call::run);
        if (rejection != null) {
            assertThat(rejection.status()).isEqualTo(401);
        }
        return rejection;
    }
}
