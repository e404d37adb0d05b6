package io.sluice.esign;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The e-signature providers' callback signatures, each an HMAC-SHA256 keyed by the UTF-8
 * bytes of the secret exactly as the provider shows it, compared in constant time:
 * <ul>
 *   <li>DocuSign Connect: {@code X-DocuSign-Signature-N} = base64 of the HMAC of the raw body; any of the N headers
 *       may match (key rotation);</li>
 *   <li>Dropbox Sign: {@code event.event_hash} = hex of the HMAC of {@code event_time + event_type}, keyed by the API
 *       key. It does not cover the body: act only on data re-fetched from the API;</li>
 *   <li>PandaDoc: {@code ?signature=} = hex of the HMAC of the raw body.</li>
 * </ul>
 */
public final class CallbackSignatures {

    private CallbackSignatures() {
    }

    /** DocuSign: true when any of the {@code X-DocuSign-Signature-N} values matches the raw body. */
    public static boolean docuSign(String connectKey, byte[] rawBody, Collection<String> signatureHeaders) {
        byte[] expected = Base64.getEncoder().encodeToString(hmac(connectKey, rawBody)).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String header : signatureHeaders) {
            if (header != null) {
                // no early exit: every header is compared in constant time
                match |= MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.US_ASCII));
            }
        }
        return match;
    }

    /** Dropbox Sign: true when {@code eventHash} is the hash of {@code eventTime + eventType} under the API key. */
    public static boolean dropboxSign(String apiKey, String eventTime, String eventType, String eventHash) {
        if (eventTime == null || eventType == null || eventHash == null) {
            return false;
        }
        byte[] expected = HexFormat.of().formatHex(hmac(apiKey, (eventTime + eventType).getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, eventHash.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** PandaDoc: true when the {@code signature} query parameter is the hash of the raw body under the shared key. */
    public static boolean pandaDoc(String sharedKey, byte[] rawBody, String signature) {
        if (signature == null) {
            return false;
        }
        byte[] expected = HexFormat.of().formatHex(hmac(sharedKey, rawBody)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
