package io.sluice.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.WhopApiStub;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heuristic provider through {@code POST /api/ai/*}: lead scores of fixed personas (built from webhooks, as
 * Sluice learns of people) with their reasons, sentiment with negation, an extractive summary, drafts, and the
 * refusal to generate free text.
 */
class HeuristicAiTest extends SluiceTestBase {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private int sequence;

    @BeforeEach
    void fixedNow() {
        clock.set(NOW);
    }

    @Test
    void aLoyalMemberScoresHighForTheseReasons() {
        membership(1, "active", false, "2026-01-01T00:00:00.000Z");
        for (int i = 1; i <= 3; i++) {
            payment(100 + i, 1, "payment.succeeded", "succeeded");
        }
        JsonNode score = post("/api/ai/score-lead", "{\"email\":\"Person1@example.com\"}");

        assertThat(score.path("score").asInt()).isEqualTo(94);
        assertThat(texts(score.path("reasons"))).containsExactly("50 to start", "+20 active membership (Acme Pro)",
                "+10 member for 5 month(s)", "+5 pays 49 USD per payment", "+9 3 successful payment(s)");
        assertThat(score.path("provider").asText()).isEqualTo("heuristic");
        assertThat(score.path("usage").path("inputTokens").asLong()).isZero();
    }

    @Test
    void aMemberAboutToLeaveWithFailedPaymentsScoresLow() {
        membership(2, "active", true, "2026-01-01T00:00:00.000Z");
        payment(201, 2, "payment.failed", "failed");
        payment(202, 2, "payment.failed", "failed");

        JsonNode score = post("/api/ai/score-lead", "{\"email\":\"person2@example.com\"}");

        assertThat(score.path("score").asInt()).isEqualTo(34);
        assertThat(texts(score.path("reasons"))).containsExactly("50 to start",
                "-10 membership set to cancel at period end (Acme Pro)", "+10 member for 5 month(s)", "-16 2 failed payment(s)");
    }

    @Test
    void aNewTrialScoresByItsTrialAloneAndAFormerMemberWithADisputeScoresLowest() {
        membership(3, "trialing", false, "2026-05-20T00:00:00.000Z");
        JsonNode trial = post("/api/ai/score-lead", "{\"email\":\"person3@example.com\"}");
        assertThat(trial.path("score").asInt()).isEqualTo(60);
        assertThat(texts(trial.path("reasons"))).containsExactly("50 to start", "+10 on a trial (Acme Pro)");

        membership(4, "canceled", false, "2026-01-01T00:00:00.000Z");
        payment(401, 4, "payment.succeeded", "succeeded");
        send("dispute.created", "{\"id\":\"dspt_t4\",\"amount\":49,\"currency\":\"usd\",\"status\":\"needs_response\","
                + "\"created_at\":\"2026-05-01T00:00:00.000Z\",\"payment\":{\"id\":\"pay_t401\",\"product\":{\"title\":\"Acme Pro\"},"
                + "\"membership\":{\"id\":\"mem_t4\"},\"user\":{\"id\":\"user_t4\",\"email\":\"person4@example.com\"}}}");
        JsonNode disputer = post("/api/ai/score-lead", "{\"email\":\"person4@example.com\"}");
        assertThat(disputer.path("score").asInt()).isEqualTo(23);
        assertThat(texts(disputer.path("reasons"))).containsExactly("50 to start", "-25 membership ended (Acme Pro)",
                "+10 member for 5 month(s)", "+5 pays 49 USD per payment", "+3 1 successful payment(s)", "-20 1 dispute(s)");
    }

    @Test
    void sentimentReadsNegationAndSummaryKeepsTheSentencesThatMatter() {
        assertThat(post("/api/ai/sentiment", "{\"text\":\"I love this course, the community is great!\"}").path("label").asText())
                .isEqualTo("positive");
        JsonNode angry = post("/api/ai/sentiment", "{\"text\":\"Not good. I want a refund, this is a scam.\"}");
        assertThat(angry.path("label").asText()).isEqualTo("negative");
        assertThat(angry.path("score").asDouble()).isEqualTo(-1.0);
        assertThat(post("/api/ai/sentiment", "{\"text\":\"Honestly not bad at all.\"}").path("label").asText()).isEqualTo("positive");
        assertThat(post("/api/ai/sentiment", "{\"text\":\"The call is on Tuesday.\"}").path("label").asText()).isEqualTo("neutral");

        String text = "The trading course covers risk management in depth. Lunch was fine. Risk management lessons include "
                + "position sizing and stop losses. The weather was sunny. Members say the risk lessons changed how they trade. "
                + "Parking was easy.";
        JsonNode summary = post("/api/ai/summarize", "{\"text\":\"" + text + "\"}");
        assertThat(summary.path("summary").asText()).containsIgnoringCase("risk management").doesNotContain("weather").doesNotContain("Parking");
        assertThat(summary.path("summary").asText().length()).isLessThanOrEqualTo(400);
    }

    @Test
    void draftsUseWhatSluiceKnowsAndGenerateNeedsAModel() {
        membership(5, "past_due", false, "2026-01-01T00:00:00.000Z");
        JsonNode draft = post("/api/ai/draft-email", "{\"email\":\"person5@example.com\",\"purpose\":\"payment-failed\"}");
        assertThat(draft.path("subject").asText()).isEqualTo("Your payment for Acme Pro did not go through");
        assertThat(draft.path("body").asText()).startsWith("Hi Person,");

        HttpResponse<String> generate = adminPost("/api/ai/generate", "{\"prompt\":\"Write a poem\"}");
        assertThat(generate.statusCode()).isEqualTo(501);
        assertThat(generate.body()).contains("AI_PROVIDER");
        assertThat(adminPost("/api/ai/score-lead", "{\"email\":\"nobody@example.com\"}").statusCode()).isEqualTo(404);
        HttpResponse<String> missing = adminPost("/api/ai/sentiment", "{\"txt\":\"typo\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("'text'");
        assertThat(adminPost("/api/ai/poetry", "{}").statusCode()).isEqualTo(404);

        HttpResponse<String> status = admin("GET", "/api/status", ADMIN_TOKEN);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode usage = jsonOf(status).path("ai").path("usageToday");
        assertThat(usage.toString()).contains("\"operation\":\"draft-email\"").contains("\"provider\":\"heuristic\"");
        assertThat(admin("GET", "/actuator/prometheus", null).body())
                .containsPattern("ai_calls_total\\{[^}]*operation=\"draft-email\",outcome=\"success\",provider=\"heuristic\"[^}]*} [1-9]");
    }

    private void membership(int i, String status, boolean cancelAtPeriodEnd, String createdAt) {
        ObjectNode record = WhopApiStub.membership(i, status, cancelAtPeriodEnd, createdAt);
        record.put("created_at", createdAt);
        send("membership.activated", record.toString());
    }

    private void payment(int i, int membership, String type, String substatus) {
        send(type, WhopApiStub.payment(i, membership, substatus, "2026-05-0" + (1 + (i % 9)) + "T00:00:00.000Z").toString());
    }

    private void send(String type, String data) {
        String id = "msg_ai_" + (++sequence) + "_" + System.nanoTime();
        String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"" + NOW + "\",\"type\":\"" + type
                + "\",\"data\":" + data + "}";
        assertThat(Webhooks.sendSigned(port, id, NOW.getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        awaitStatus(id, "DONE");
    }

    private JsonNode post(String path, String body) {
        HttpResponse<String> response = adminPost(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return jsonOf(response);
    }


    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
