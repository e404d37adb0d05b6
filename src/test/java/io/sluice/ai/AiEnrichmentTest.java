package io.sluice.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.WhopApiStub;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Enrichment through routes/ai-enrich.camel.yaml: a membership activation or failed payment stores a request to
 * score its person, processed like any event into the CRM (score and reasons on the person, a note); the ai kill
 * switch holds the requests without losing them.
 */
@org.springframework.test.context.TestPropertySource(properties = "sluice.ai.enrich-on=membership.activated,payment.failed")
class AiEnrichmentTest extends SluiceTestBase {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @BeforeEach
    void fixedNow() {
        clock.set(NOW);
    }

    @Test
    void anActivationScoresThePersonAndNotesWhy() {
        String id = send("msg_en_1", "membership.activated", WhopApiStub.membership(1, "active", false, "2026-01-01T00:00:00.000Z"));
        awaitStatus(id, "DONE");
        awaitStatus("ai-score:" + id, "DONE");

        Map<String, Object> person = jdbc.queryForMap("SELECT lead_score, lead_score_reasons FROM crm_person WHERE email = 'person1@example.com'");
        assertThat(((Number) person.get("lead_score")).intValue()).isEqualTo(80);
        assertThat(person.get("lead_score_reasons").toString()).isEqualTo("50 to start; +20 active membership (Acme Pro); +10 member for 5 month(s)");
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = ?", String.class, "ai-score-" + id))
                .startsWith("Lead score 80/100 after membership.activated (heuristic rules-v1)");
        assertThat(adminJson("GET", "/api/crm/people?email=person1@example.com").path("items").get(0).path("leadScore").asInt()).isEqualTo(80);
    }

    @Test
    void leadScoresClaimedTogetherAreScoredAndWrittenInOneBatch() {
        Long callsBefore = jdbc.queryForObject("SELECT COALESCE(SUM(calls), 0) FROM ai_usage WHERE operation = 'score-lead'", Long.class);
        assertThat(admin("PUT", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 201, 204);
        for (int i = 0; i < 4; i++) {
            awaitStatus(send("msg_en_b" + i, "membership.activated", WhopApiStub.membership(20 + i, "active", false, "2026-01-01T00:00:00.000Z")),
                    "DONE");
        }
        assertThat(admin("DELETE", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 204);
        for (int i = 0; i < 4; i++) {
            awaitStatus("ai-score:msg_en_b" + i, "DONE");
            assertThat(adminJson("GET", "/api/events/ai-score:msg_en_b" + i).path("history").findValuesAsText("detail"))
                    .contains("applied to local in a batch of 4");
            assertThat(jdbc.queryForObject("SELECT lead_score FROM crm_person WHERE email = ?", Integer.class, "person" + (20 + i) + "@example.com"))
                    .isEqualTo(80);
        }
        // the four scores are one write of the usage ledger, of four calls
        assertThat(jdbc.queryForObject("SELECT COALESCE(SUM(calls), 0) FROM ai_usage WHERE operation = 'score-lead'", Long.class))
                .isEqualTo(callsBefore + 4);
    }

    @Test
    void onlyTheConfiguredTypesAskForAScore() {
        String failed = send("msg_en_f", "payment.failed", WhopApiStub.payment(7, 2, "failed", "2026-05-01T00:00:00.000Z"));
        String succeeded = send("msg_en_s", "payment.succeeded", WhopApiStub.payment(8, 2, "succeeded", "2026-05-02T00:00:00.000Z"));
        awaitStatus(failed, "DONE");
        awaitStatus(succeeded, "DONE");
        awaitStatus("ai-score:" + failed, "DONE");
        assertThat(eventStatus("ai-score:" + succeeded)).isNull();
    }

    @Test
    void theAiKillSwitchHoldsScoringWithoutLosingIt() {
        assertThat(admin("PUT", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 201, 204);
        ObjectNode trial = WhopApiStub.membership(3, "trialing", false, "2026-05-20T00:00:00.000Z");
        trial.put("created_at", "2026-05-20T00:00:00.000Z");
        String id = send("msg_en_p", "membership.activated", trial);
        awaitStatus(id, "DONE");
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> "RECEIVED".equals(eventStatus("ai-score:" + id)));
        assertThat(jdbc.queryForObject("SELECT lead_score FROM crm_person WHERE email = 'person3@example.com'", Integer.class)).isNull();

        assertThat(admin("DELETE", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 204);
        awaitStatus("ai-score:" + id, "DONE");
        assertThat(jdbc.queryForObject("SELECT lead_score FROM crm_person WHERE email = 'person3@example.com'", Integer.class)).isEqualTo(60);
    }

    @Test
    void aScoreIsWrittenEvenWhenANewerChangeOfThePersonWasAppliedFirst() {
        assertThat(admin("PUT", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 201, 204);
        String id = send("msg_en_o", "membership.activated", WhopApiStub.membership(4, "active", false, "2026-05-01T00:00:00.000Z"));
        awaitStatus(id, "DONE");
        // a newer change of the same person is applied while the score waits
        String newer = send("msg_en_n", "membership.activated", WhopApiStub.membership(4, "active", false, "2026-05-10T00:00:00.000Z"));
        awaitStatus(newer, "DONE");

        assertThat(admin("DELETE", "/api/pauses/ai", ADMIN_TOKEN).statusCode()).isIn(200, 204);
        awaitStatus("ai-score:" + id, "DONE");
        assertThat(jdbc.queryForObject("SELECT lead_score FROM crm_person WHERE email = 'person4@example.com'", Integer.class))
                .as("the score the note announces is on the person").isNotNull();
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = ?", String.class, "ai-score-" + id)).startsWith("Lead score");
        // and the person's own order is untouched: an older Whop change is still refused
        assertThat(jdbc.queryForObject("SELECT source_updated_at FROM crm_person WHERE email = 'person4@example.com'", java.time.OffsetDateTime.class)
                .toInstant()).isEqualTo(Instant.parse("2026-05-10T00:00:00Z"));
    }

    private String send(String id, String type, ObjectNode data) {
        String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"" + NOW + "\",\"type\":\"" + type
                + "\",\"data\":" + data + "}";
        assertThat(Webhooks.sendSigned(port, id, NOW.getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        return id;
    }
}
