package io.sluice.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** Signs and posts e-sign callbacks the way each provider does, over real HTTP. */
public final class ESignCallbacks {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ESignCallbacks() {
    }

    public static byte[] hmac(String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A DocuSign Connect delivery: JSON body, {@code X-DocuSign-Signature-1} = base64 HMAC of the body. */
    public static HttpResponse<String> docuSign(int port, String connectKey, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return docuSignSigned(port, Base64.getEncoder().encodeToString(hmac(connectKey, bytes)), bytes);
    }

    public static HttpResponse<String> docuSignSigned(int port, String signature, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/esign/docusign"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header("X-DocuSign-Signature-1", signature);
        }
        return send(request);
    }

    /** Dropbox Sign's {@code event_hash}: hex HMAC of event_time + event_type under the API key. */
    public static String eventHash(String apiKey, String eventTime, String eventType) {
        return HexFormat.of().formatHex(hmac(apiKey, (eventTime + eventType).getBytes(StandardCharsets.UTF_8)));
    }

    /** A Dropbox Sign delivery as it sends them: multipart/form-data with the event JSON in the field {@code json}. */
    public static HttpResponse<String> dropboxSignMultipart(int port, String json) {
        String boundary = "----SluiceTestBoundary7MA4YWxkTrZu0gW";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"json\"\r\n\r\n"
                + json + "\r\n"
                + "--" + boundary + "--\r\n";
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/esign/dropboxsign"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** A Dropbox Sign delivery with the event as a raw JSON body (newer apps). */
    public static HttpResponse<String> dropboxSignJson(int port, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/esign/dropboxsign"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    /** A PandaDoc delivery: JSON array, {@code ?signature=} hex HMAC of the body, the event id header. */
    public static HttpResponse<String> pandaDoc(int port, String sharedKey, String body, String eventId) {
        String signature = HexFormat.of().formatHex(hmac(sharedKey, body.getBytes(StandardCharsets.UTF_8)));
        return pandaDocSigned(port, signature, body, eventId);
    }

    public static HttpResponse<String> pandaDocSigned(int port, String signature, String body, String eventId) {
        String query = signature == null ? "" : "?signature=" + URLEncoder.encode(signature, StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/esign/pandadoc" + query))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (eventId != null) {
            request.header("X-PandaDoc-Webhook-Event-Id", eventId);
        }
        return send(request);
    }

    public static HttpResponse<String> post(int port, String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("callback request failed", e);
        }
    }
}
