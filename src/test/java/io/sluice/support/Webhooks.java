package io.sluice.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Signs and sends webhooks the way Whop does, over real HTTP. */
public final class Webhooks {

    public static final String SECRET = "ws_4f8a1c2e9b7d3a6051e2c4b8d9f0a7136e5c2b4a8d1f3e5c7b9a0d2e4f6a8c1b";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Webhooks() {
    }

    public static String sign(String secret, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs {@code body} for {@code id} at {@code timestamp} with the test secret and posts it. */
    public static HttpResponse<String> sendSigned(int port, String id, long timestamp, byte[] body) {
        return send(port, Map.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", sign(SECRET, id, timestamp, body)), body, false);
    }

    public static HttpResponse<String> send(int port, Map<String, String> headers, byte[] body, boolean chunked) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/whop"))
                .header("content-type", "application/json")
                .POST(chunked
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("webhook request failed", e);
        }
    }

    /** A minimal membership webhook body for {@code id}; {@code name} lets tests use any characters. */
    public static String membershipBody(String id, String membershipId, String email, String name, String status,
                                        boolean cancelAtPeriodEnd, String updatedAt) {
        return "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"" + updatedAt + "\",\"type\":\"membership.activated\","
                + "\"data\":{\"id\":\"" + membershipId + "\",\"status\":\"" + status + "\",\"cancel_at_period_end\":" + cancelAtPeriodEnd
                + ",\"updated_at\":\"" + updatedAt + "\",\"currency\":\"usd\",\"product\":{\"id\":\"prod_1\",\"title\":\"Acme Pro\"},"
                + "\"user\":{\"id\":\"user_" + membershipId + "\",\"email\":\"" + email + "\",\"name\":\"" + name + "\"}}}";
    }
}
