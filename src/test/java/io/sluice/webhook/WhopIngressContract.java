package io.sluice.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.SwitchableDataSource;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook contract through real HTTP: every signature vector, every refusal, durability before the answer. */
abstract class WhopIngressContract extends SluiceTestBase {

    static Stream<Arguments> fixtureCases() throws IOException {
        try (InputStream in = WhopIngressContract.class.getResourceAsStream("/fixtures/whop-webhooks.json")) {
            JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
            List<Arguments> cases = new ArrayList<>();
            root.path("cases").forEach(c -> cases.add(Arguments.of(c.path("name").asText(), c)));
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureCases")
    void everyFixtureVectorGetsTheAnswerSpecNames(String name, JsonNode c) {
        assertThat(c.path("secret").asText()).isEqualTo(Webhooks.SECRET);
        clock.set(Instant.ofEpochSecond(c.path("now").asLong()));
        Map<String, String> headers = new HashMap<>();
        c.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        byte[] body = c.path("body").asText().getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = Webhooks.send(port, headers, body, false);

        JsonNode answer = jsonOf(response);
        if ("valid".equals(c.path("expect").asText())) {
            String id = headers.get("webhook-id");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(answer.path("id").asText()).isEqualTo(id);
            assertThat(answer.path("status").asText()).isEqualTo("accepted");
            assertThat(eventStatus(id)).isIn("RECEIVED", "PROCESSING", "DONE", "IGNORED");
            if (name.startsWith("unknown event type")) {
                assertThat(eventStatus(id)).isEqualTo("IGNORED");
            } else {
                awaitStatus(id, "DONE");
            }
        } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
            String error = answer.path("error").asText();
            switch (c.path("reason").asText()) {
                case "signature" -> assertThat(error).contains("webhook-signature");
                case "timestamp" -> assertThat(error).contains("webhook-timestamp");
                case "missing-header" -> assertThat(error).startsWith("missing header");
                default -> throw new AssertionError("unknown reason in fixture: " + c.path("reason"));
            }
            assertThat(error).doesNotContain("6PLhx9l7E8zKE4"); // never echo a signature
            assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();
        }
    }

    @Test
    void bodyWithEmojiAndTrailingNewlineVerifiesOverTheExactBytes() {
        long now = clock.instant().getEpochSecond();
        String emoji = Webhooks.membershipBody("msg_emoji1", "mem_emoji1", "zoe@example.com", "Zoë 🚀 Ångström", "active", false,
                "2026-01-01T00:00:00.000Z");
        String newline = Webhooks.membershipBody("msg_newline1", "mem_newline1", "nl@example.com", "New Line", "active", false,
                "2026-01-01T00:00:00.000Z") + "\n";

        assertThat(Webhooks.sendSigned(port, "msg_emoji1", now, emoji.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        assertThat(Webhooks.sendSigned(port, "msg_newline1", now, newline.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);

        awaitStatus("msg_emoji1", "DONE");
        JsonNode person = adminJson("GET", "/api/crm/people?email=zoe@example.com").path("items").get(0);
        assertThat(person.path("name").asText()).isEqualTo("Zoë 🚀 Ångström");
        byte[] stored = jdbc.queryForObject("SELECT payload FROM event_log WHERE id = 'msg_newline1'", byte[].class);
        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(newline);
    }

    @Test
    void sameWebhookDeliveredFiveTimesConcurrentlyIsAcceptedOnceAndAppliedOnce() throws Exception {
        long now = clock.instant().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_concurrent", "mem_concurrent", "conc@example.com", "Con Current", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Callable<Integer>> senders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            senders.add(() -> Webhooks.sendSigned(port, "msg_concurrent", now, body).statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(senders)) {
            statuses.add(f.get());
        }
        pool.shutdown();

        assertThat(statuses).containsExactlyInAnyOrder(202, 200, 200, 200, 200);
        awaitStatus("msg_concurrent", "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_person WHERE email = 'conc@example.com'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_concurrent'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void duplicateDeliveryIsAnsweredDuplicateAndChangesNothing() {
        long now = clock.instant().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_dup", "mem_dup", "dup@example.com", "Dup", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_dup", now, body).statusCode()).isEqualTo(202);
        awaitStatus("msg_dup", "DONE");
        String updatedBefore = jdbc.queryForObject("SELECT CAST(updated_at AS VARCHAR) FROM crm_opportunity WHERE membership_id = 'mem_dup'", String.class);

        HttpResponse<String> again = Webhooks.sendSigned(port, "msg_dup", now + 20, body); // a retry is signed afresh

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(jsonOf(again).path("status").asText()).isEqualTo("duplicate");
        assertThat(admin("GET", "/actuator/prometheus", null).body().lines()
                .filter(l -> l.startsWith("sluice_webhook_requests_total{") && l.contains("outcome=\"duplicate\"") && l.contains("source=\"whop\""))
                .findFirst()).isPresent();
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT CAST(updated_at AS VARCHAR) FROM crm_opportunity WHERE membership_id = 'mem_dup'", String.class))
                .isEqualTo(updatedBefore);
    }

    @Test
    void signedBodyThatIsNotJsonIsRejectedWith400AndRecorded() {
        long now = clock.instant().getEpochSecond();
        HttpResponse<String> response = Webhooks.sendSigned(port, "msg_notjson", now, "{\"type\": \"membership.activ".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jsonOf(response).path("error").asText()).contains("not valid JSON");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'REJECTED' AND id LIKE 'msg_notjson#rejected-%'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM crm_person")).isZero();
    }

    @Test
    void signedBodyWithoutTypeOrDataIsRejectedWith400NamingTheField() {
        long now = clock.instant().getEpochSecond();
        HttpResponse<String> noType = Webhooks.sendSigned(port, "msg_notype", now, "{\"data\":{}}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> noData = Webhooks.sendSigned(port, "msg_nodata", now, "{\"type\":\"payment.succeeded\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(noType.statusCode()).isEqualTo(400);
        assertThat(jsonOf(noType).path("error").asText()).contains("'type'");
        assertThat(noData.statusCode()).isEqualTo(400);
        assertThat(jsonOf(noData).path("error").asText()).contains("'data'");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'REJECTED'")).isEqualTo(2);
    }

    @Test
    void bodyOverTheLimitIsRefusedWith413DeclaredOrChunked() {
        long now = clock.instant().getEpochSecond();
        byte[] huge = ("{\"type\":\"x\",\"data\":{\"pad\":\"" + "a".repeat(1_100_000) + "\"}}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("webhook-id", "msg_huge", "webhook-timestamp", Long.toString(now),
                "webhook-signature", Webhooks.sign(Webhooks.SECRET, "msg_huge", now, huge));

        assertThat(Webhooks.send(port, headers, huge, false).statusCode()).isEqualTo(413);
        assertThat(Webhooks.send(port, headers, huge, true).statusCode()).isEqualTo(413);
        assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();
    }

    @Test
    void databaseDownAtIngressAnswers503WithRetryAfterAndTheRetryIsAccepted() {
        long now = clock.instant().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_dbdown", "mem_dbdown", "down@example.com", "Down", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        SwitchableDataSource db = (SwitchableDataSource) dataSource;
        db.setDown(true);
        HttpResponse<String> refused;
        try {
            refused = Webhooks.sendSigned(port, "msg_dbdown", now, body);
            assertThat(admin("GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(503);
        } finally {
            db.setDown(false);
        }

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();

        HttpResponse<String> retry = Webhooks.sendSigned(port, "msg_dbdown", now + 10, body);
        assertThat(retry.statusCode()).isEqualTo(202);
        awaitStatus("msg_dbdown", "DONE");
    }
}
