package io.sluice.processing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Processing end to end: webhook in, CRM state out, exactly once, in the right order, failures replayable. */
abstract class EventProcessingContract extends SluiceTestBase {

    private JsonNode fixture(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/whop-webhooks.json")) {
            for (JsonNode c : json.readTree(in).path("cases")) {
                if (c.path("name").asText().equals(name)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** Sends a fixture exactly as recorded, at the clock it was signed for. */
    private String sendFixture(String name) throws IOException {
        JsonNode c = fixture(name);
        clock.set(Instant.ofEpochSecond(c.path("now").asLong()));
        Map<String, String> headers = new HashMap<>();
        c.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        int status = Webhooks.send(port, headers, c.path("body").asText().getBytes(StandardCharsets.UTF_8), false).statusCode();
        assertThat(status).isEqualTo(202);
        return headers.get("webhook-id");
    }

    @Test
    void membershipActivatedBecomesAPersonAndAWonOpportunity() throws IOException {
        String id = sendFixture("membership.activated");
        awaitStatus(id, "DONE");

        JsonNode person = adminJson("GET", "/api/crm/people?email=JANE@example.com").path("items").get(0);
        assertThat(person.path("email").asText()).isEqualTo("jane@example.com");
        assertThat(person.path("name").asText()).isEqualTo("Jane Doe");
        assertThat(person.path("whopUserId").asText()).isEqualTo("user_F1g2H3j4K5l6Z7");
        JsonNode opportunity = adminJson("GET", "/api/crm/opportunities?membershipId=mem_Q1w2E3r4T5y6U7").path("items").get(0);
        assertThat(opportunity.path("stage").asText()).isEqualTo("won");
        assertThat(opportunity.path("personEmail").asText()).isEqualTo("jane@example.com");
        assertThat(opportunity.path("product").asText()).isEqualTo("Acme Pro");
        assertThat(opportunity.path("currency").asText()).isEqualTo("USD");
        assertThat(opportunity.path("renewalDate").asText()).startsWith("2026-02-01T00:00");
    }

    @Test
    void cancelAtPeriodEndMovesTheOpportunityToAtRisk() throws IOException {
        awaitStatus(sendFixture("membership.activated"), "DONE");
        awaitStatus(sendFixture("membership.cancel_at_period_end_changed"), "DONE");

        assertThat(jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = 'mem_Q1w2E3r4T5y6U7'", String.class))
                .isEqualTo("at_risk");
    }

    @Test
    void newerDeactivationThenOlderActivationEndsLostAndTheOlderIsStale() throws IOException {
        String deactivated = sendFixture("membership.deactivated");
        awaitStatus(deactivated, "DONE");
        String activated = sendFixture("membership.activated");
        awaitStatus(activated, "STALE");

        assertThat(jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = 'mem_Q1w2E3r4T5y6U7'", String.class))
                .isEqualTo("lost");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(1);
    }

    @Test
    void paymentsBecomeNotesOnThePersonAndTheirMembership() throws IOException {
        awaitStatus(sendFixture("payment.succeeded"), "DONE");
        awaitStatus(sendFixture("payment.failed"), "DONE");

        JsonNode notes = adminJson("GET", "/api/crm/notes?personEmail=jane@example.com").path("items");
        assertThat(notes).hasSize(2);
        Map<String, String> texts = new HashMap<>();
        notes.forEach(n -> texts.put(n.path("externalId").asText(), n.path("text").asText()));
        assertThat(texts.get("pay_Z9y8X7w6V5u4T3")).startsWith("Payment succeeded: 49 USD for Acme Pro");
        assertThat(texts.get("pay_F4i1L3d0000001")).startsWith("Payment failed: 49 USD for Acme Pro").contains("card_declined");
        assertThat(jdbc.queryForObject("SELECT membership_id FROM crm_note WHERE external_id = 'pay_Z9y8X7w6V5u4T3'", String.class))
                .isEqualTo("mem_Q1w2E3r4T5y6U7");
        assertThat(count("SELECT COUNT(*) FROM crm_person")).isEqualTo(1);
    }

    /** An activation per id msg_X (membership mem_X, person X@example.com), sent while processing waits: one claim takes all. */
    private void sendWhileProcessingIsPaused(String... ids) {
        sendWhileProcessingIsPaused(id -> id.substring("msg_".length()), ids);
    }

    /** As above, with the membership and person of each id named by {@code subject}. */
    private void sendWhileProcessingIsPaused(java.util.function.UnaryOperator<String> subject, String... ids) {
        assertThat(admin("PUT", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isLessThan(300);
        long now = clock.instant().getEpochSecond();
        for (String id : ids) {
            byte[] body = Webhooks.membershipBody(id, "mem_" + subject.apply(id), subject.apply(id) + "@example.com", "Gro Up", "active",
                    false, "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
            assertThat(Webhooks.sendSigned(port, id, now, body).statusCode()).isEqualTo(202);
        }
        assertThat(admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isLessThan(300);
    }

    @Test
    void webhooksClaimedTogetherAreWrittenToTheLocalCrmInOneBatch() {
        sendWhileProcessingIsPaused("msg_grp0", "msg_grp1", "msg_grp2", "msg_grp3", "msg_grp4");

        for (int i = 0; i < 5; i++) {
            awaitStatus("msg_grp" + i, "DONE");
        }
        // one claim took all five, and one transaction of the local CRM wrote them
        for (int i = 0; i < 5; i++) {
            assertThat(adminJson("GET", "/api/events/msg_grp" + i).path("history").findValuesAsText("detail"))
                    .contains("applied to local in a batch of 5");
        }
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id LIKE 'mem_grp%' AND stage = 'won'")).isEqualTo(5);
        assertThat(count("SELECT COUNT(*) FROM crm_person WHERE email LIKE 'grp%'")).isEqualTo(5);
    }

    @Test
    void twoDeliveriesOfOneChangeInOneBatchAreWrittenOnce() {
        // two deliveries of one change (the same membership, the same time): their change key is the same
        sendWhileProcessingIsPaused(id -> "twin", "msg_twin_a", "msg_twin_b");
        awaitStatus("msg_twin_a", "DONE");
        awaitStatus("msg_twin_b", "DONE");

        assertThat(adminJson("GET", "/api/events/msg_twin_a").path("history").findValuesAsText("detail"))
                .contains("applied to local in a batch of 1");
        assertThat(adminJson("GET", "/api/events/msg_twin_b").path("history").findValuesAsText("detail"))
                .contains("this change was already applied earlier; nothing written");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_twin'")).isEqualTo(1);
    }

    @Test
    void crmFailureIsRetriedThenDeadLetteredAndAReplayCompletesIt() {
        long now = clock.instant().getEpochSecond();
        crm.failFor("msg_fails");
        byte[] body = Webhooks.membershipBody("msg_fails", "mem_fails", "fails@example.com", "Fay Lure", "trialing", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_fails", now, body).statusCode()).isEqualTo(202);

        awaitStatus("msg_fails", "DEAD");
        // its try in the batch it was claimed with (the local CRM writes webhooks in batches), then alone: the first try
        // and two redeliveries (sluice.processing.max-redeliveries=2)
        assertThat(crm.failures()).isEqualTo(4);
        JsonNode deadLetter = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(deadLetter.path("eventId").asText()).isEqualTo("msg_fails");
        assertThat(deadLetter.path("error").asText()).contains("local CRM connector broken");
        assertThat(deadLetter.path("attempts").asInt()).isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isZero();
        byte[] kept = jdbc.queryForObject("SELECT payload FROM dead_letter WHERE event_id = 'msg_fails'", byte[].class);
        assertThat(kept).isEqualTo(body);

        crm.heal();
        assertThat(admin("POST", "/api/dead-letters/" + deadLetter.path("id").asLong() + "/replay", ADMIN_TOKEN).statusCode()).isEqualTo(202);

        awaitStatus("msg_fails", "DONE");
        assertThat(jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = 'mem_fails'", String.class)).isEqualTo("trial");
        assertThat(adminJson("GET", "/api/dead-letters").path("items")).isEmpty();
        JsonNode history = adminJson("GET", "/api/events/msg_fails").path("history");
        assertThat(history.findValuesAsText("status")).containsSubsequence("PROCESSING", "DEAD", "RECEIVED", "DONE");
        assertThat(admin("POST", "/api/dead-letters/" + deadLetter.path("id").asLong() + "/replay", ADMIN_TOKEN).statusCode()).isEqualTo(409);
    }

    @Test
    void aCrmThatIsDownMakesTheEventWaitUntilTheRetryHorizonThenItIsADeadLetterThatAReplayCompletes() {
        crm.unavailableFor("msg_down");
        byte[] body = Webhooks.membershipBody("msg_down", "mem_down", "down@example.com", "Dow N", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_down", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);

        // waiting can heal it: it waits in the inbox, tried again and again on the schedule, never a dead letter by count
        awaitStatus("msg_down", "WAITING");
        await().atMost(Duration.ofSeconds(15)).until(() -> crm.failures() >= 6); // two rounds of three tries
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        JsonNode waiting = adminJson("GET", "/api/events/msg_down");
        assertThat(waiting.path("failingSince").asText()).isNotEmpty();
        assertThat(waiting.path("history").findValuesAsText("status")).contains("WAITING");

        // 24 hours later (sluice.processing.retry-horizon) it still fails: now it is a dead letter that says so
        clock.advance(Duration.ofHours(25));
        awaitStatus("msg_down", "DEAD");
        JsonNode deadLetter = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(deadLetter.path("error").asText()).startsWith("still failing after").contains("retry-horizon")
                .contains("local CRM store unavailable");

        crm.heal();
        assertThat(admin("POST", "/api/dead-letters/" + deadLetter.path("id").asLong() + "/replay", ADMIN_TOKEN).statusCode()).isEqualTo(202);
        awaitStatus("msg_down", "DONE");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_down'")).isEqualTo(1);
    }

    @Test
    void aFailedEventNeverForgetsAChangeThatItsSiblingApplied() {
        // a webhook of a change fails while the pull of the same change (same change key) is applied meanwhile
        String changeKey = "whop:mem_sib:2026-01-01T00:00:00Z";
        crm.failFor("msg_sib");
        crm.whenWriting("msg_sib", () -> jdbc.update("INSERT INTO camel_messageprocessed (processorname, messageid) VALUES (?, ?)",
                "process-event", changeKey));
        byte[] body = Webhooks.membershipBody("msg_sib", "mem_sib", "sib@example.com", "Sib Ling", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_sib", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
        awaitStatus("msg_sib", "DEAD");

        assertThat(count("SELECT COUNT(*) FROM camel_messageprocessed WHERE messageid = ?", changeKey))
                .as("the sibling's memory of the change survives this event's failure").isEqualTo(1);
        // and an applied event's change is remembered with its DONE, not after it
        crm.heal();
        assertThat(Webhooks.sendSigned(port, "msg_sib2", clock.instant().getEpochSecond(), Webhooks.membershipBody("msg_sib2", "mem_sib2",
                "sib2@example.com", "Sib Two", "active", false, "2026-01-02T00:00:00.000Z").getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        awaitStatus("msg_sib2", "DONE");
        assertThat(count("SELECT COUNT(*) FROM camel_messageprocessed WHERE messageid = 'whop:mem_sib2:2026-01-02T00:00:00Z'")).isEqualTo(1);
    }

    @Test
    void aCrmThatComesBackAppliesTheWaitingEventByItself() {
        crm.unavailableFor("msg_back");
        byte[] body = Webhooks.membershipBody("msg_back", "mem_back", "back@example.com", "Bac K", "active", false,
                "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_back", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
        awaitStatus("msg_back", "WAITING");

        crm.heal();

        awaitStatus("msg_back", "DONE");
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_back'")).isEqualTo(1);
    }

    @Test
    void eventTheMappingCannotMapIsDeadLetteredAtOnceWithTheReason() {
        long now = clock.instant().getEpochSecond();
        String body = "{\"id\":\"msg_noid\",\"type\":\"membership.activated\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"status\":\"active\"}}";
        assertThat(Webhooks.sendSigned(port, "msg_noid", now, body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);

        awaitStatus("msg_noid", "DEAD");
        JsonNode deadLetter = adminJson("GET", "/api/dead-letters").path("items").get(0);
        assertThat(deadLetter.path("error").asText()).contains("required field 'membershipId'").contains("data.id");
        assertThat(deadLetter.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void pausedCrmAccumulatesEventsAndResumingAppliesEveryOne() {
        assertThat(admin("PUT", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        long now = clock.instant().getEpochSecond();
        for (int i = 0; i < 3; i++) {
            byte[] body = Webhooks.membershipBody("msg_paused" + i, "mem_paused" + i, "p" + i + "@example.com", "P", "active", false,
                    "2026-01-01T00:00:00.000Z").getBytes(StandardCharsets.UTF_8);
            assertThat(Webhooks.sendSigned(port, "msg_paused" + i, now, body).statusCode()).isEqualTo(202);
        }
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
                .until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'RECEIVED'") == 3);
        assertThat(adminJson("GET", "/api/status").path("queue").path("pending").asInt()).isEqualTo(3);

        assertThat(admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == 3);
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity")).isEqualTo(3);
    }

    @Test
    void unknownPauseTargetIsABadRequestNamingTheTargets() {
        var response = admin("PUT", "/api/pauses/everything", ADMIN_TOKEN);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jsonOf(response).path("detail").asText()).contains("crm").contains("whop-poll");
    }
}
