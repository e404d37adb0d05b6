package io.sluice.webhook;

import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Beyond sluice.webhook.max-rps the sender is told to come back later, and nothing is stored for it. */
@TestPropertySource(properties = "sluice.webhook.max-rps=3")
class WhopIngressRateLimitTest extends SluiceTestBase {

    @Test
    void requestsOverTheRateLimitGet429WithRetryAfterAndAreNotStored() {
        long now = clock.instant().getEpochSecond();
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] body = Webhooks.membershipBody("msg_rate" + i, "mem_rate" + i, "rate" + i + "@example.com", "R", "active", false,
                    "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
            responses.add(Webhooks.sendSigned(port, "msg_rate" + i, now, body));
        }

        List<HttpResponse<String>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        long accepted = responses.stream().filter(r -> r.statusCode() == 202).count();
        assertThat(limited).isNotEmpty();
        assertThat(accepted + limited.size()).isEqualTo(10);
        assertThat(limited.get(0).headers().firstValue("Retry-After")).isPresent();
        assertThat(jsonOf(limited.get(0)).path("error").asText()).contains("rate limit");
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(accepted);
    }

    @Test
    void aFloodOfUnsignedRequestsDoesNotSpendTheBudgetOfWhopsOwnDeliveries() throws InterruptedException {
        Thread.sleep(1100); // a fresh second of budget
        long now = clock.instant().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_genuine", "mem_genuine", "genuine@example.com", "G", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> forged = Webhooks.send(port, java.util.Map.of("webhook-id", "msg_forged" + i,
                    "webhook-timestamp", Long.toString(now), "webhook-signature", "v1,Zm9yZ2VkZm9yZ2VkZm9yZ2VkZm9yZ2VkZm9yZ2VkZm8="), body, false);
            assertThat(forged.statusCode()).as("an unsigned request").isEqualTo(401);
        }

        assertThat(Webhooks.sendSigned(port, "msg_genuine", now, body).statusCode()).as("Whop's own delivery").isEqualTo(202);
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(1);
    }
}
