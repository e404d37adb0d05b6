package io.sluice.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Delivers a webhook the way Whop does: until it is acknowledged (2xx), retrying after a refused connection, a
 * timeout, a 5xx or a 429, each retry with a fresh timestamp and signature under the same {@code webhook-id}, after a
 * delay that doubles (Whop: 10, 20, 40 s ...; scaled down here by {@code firstDelay}).
 */
public final class WhopSender {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;
    private final Duration firstDelay;
    private final Duration maxDelay;

    public WhopSender(int port, Duration firstDelay, Duration maxDelay) {
        this.port = port;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** The acknowledging status (202 new, 200 duplicate), or the last status (0: no answer) once {@code giveUpAfter} passed. */
    public int deliver(String id, byte[] body, Duration giveUpAfter) throws InterruptedException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        Duration delay = firstDelay;
        int status = 0;
        while (true) {
            long now = Instant.now().getEpochSecond();
            try {
                status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/whop"))
                        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                        .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                        .header("webhook-signature", Webhooks.sign(Webhooks.SECRET, id, now, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = 0; // refused or cut off: the sender cannot know, so it sends again
            }
            if (status >= 200 && status < 300) {
                return status;
            }
            if (status != 0 && status != 429 && status < 500) {
                return status; // a refusal waiting cannot fix
            }
            if (System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(delay.toMillis());
            delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
        }
    }

    public static byte[] activation(String id, String membershipId) {
        return Webhooks.membershipBody(id, membershipId, membershipId + "@example.com", "Kill Test", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
    }
}
