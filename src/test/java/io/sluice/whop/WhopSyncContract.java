package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.havingExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/** Whop pulls end to end, on whichever database the subclass runs: the SQL paths of sync runs, cursors and reconciliation. */
abstract class WhopSyncContract extends WhopSyncTestBase {

    private static final String T1 = "2026-01-20T14:03:11.000Z";

    private void serveBusiness() {
        whop.pages("members", WhopApiStub.list(3, i -> member(i, T1)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, i == 4 ? "canceled" : "active", i == 2, T1)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", "2026-01-0" + (i + 1) + "T10:00:00.000Z")), 2);
    }

    @Test
    void fullSyncBringsEveryPageOfEveryResourceIntoTheCrm() {
        serveBusiness();
        String id = startSync("full");
        JsonNode run = awaitSync(id, "COMPLETED");
        awaitInboxDrained();

        assertThat(run.path("records").asLong()).isEqualTo(10);
        assertThat(run.path("newEvents").asLong()).isEqualTo(10);
        assertThat(run.path("pages").asInt()).isEqualTo(6);
        assertThat(run.path("errors").asInt()).isZero();
        assertThat(count("SELECT COUNT(*) FROM crm_person")).isEqualTo(4); // 3 members + the 4th membership's user
        assertThat(jdbc.queryForObject("SELECT whop_user_id FROM crm_person WHERE email = 'person1@example.com'", String.class))
                .isEqualTo("user_t1");
        assertThat(jdbc.queryForList("SELECT membership_id || '=' || stage FROM crm_opportunity ORDER BY membership_id", String.class))
                .containsExactly("mem_t1=won", "mem_t2=at_risk", "mem_t3=won", "mem_t4=lost");
        assertThat(jdbc.queryForList("SELECT external_id FROM crm_note ORDER BY external_id", String.class))
                .containsExactly("pay_t1", "pay_t2", "pay_t3");
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = 'pay_t2'", String.class))
                .startsWith("Payment: 49 USD for Acme Pro (payment pay_t2, status succeeded)");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(10);
        // the newest payment update becomes the watermark of the next incremental pull
        assertThat(jdbc.queryForObject("SELECT high_water FROM whop_sync_watermark WHERE resource = 'payments'", java.time.OffsetDateTime.class)
                .toInstant()).isEqualTo(Instant.parse("2026-01-04T10:00:00Z"));
        WHOP.verify(getRequestedFor(urlPathEqualTo("/api/v1/memberships"))
                .withQueryParam("after", equalTo("memberships-p1"))
                .withQueryParam("first", equalTo("2"))
                .withHeader("Accept", equalTo("application/json"))
                .withQueryParam("product_ids[]", havingExactly("prod_H7j8K9l0Z1x2C3", "prod_Second")));
        String metrics = admin("GET", "/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("whop_sync_records_total\\{[^}]*outcome=\"new\",resource=\"memberships\"[^}]*} [1-9]")
                .containsPattern("whop_sync_duration_seconds_count\\{[^}]*mode=\"full\"[^}]*status=\"COMPLETED\"[^}]*} [1-9]");
        // arrays go as name[]=value, encoded as Whop's SDK sends them
        assertThat(WHOP.findAll(getRequestedFor(urlPathEqualTo("/api/v1/payments"))).get(0).getUrl())
                .contains("product_ids%5B%5D=prod_H7j8K9l0Z1x2C3&product_ids%5B%5D=prod_Second");
    }

    @Test
    void aSecondSweepOfUnchangedRecordsStoresAndWritesNothing() {
        serveBusiness();
        awaitSync(startSync("full"), "COMPLETED");
        awaitInboxDrained();
        long events = count("SELECT COUNT(*) FROM event_log");
        String updatedAt = jdbc.queryForObject("SELECT CAST(updated_at AS VARCHAR) FROM crm_opportunity WHERE membership_id = 'mem_t1'", String.class);

        JsonNode second = awaitSync(startSync("full"), "COMPLETED");
        awaitInboxDrained();

        assertThat(second.path("records").asLong()).isEqualTo(10);
        assertThat(second.path("newEvents").asLong()).isZero();
        assertThat(count("SELECT COUNT(*) FROM event_log")).isEqualTo(events);
        assertThat(jdbc.queryForObject("SELECT CAST(updated_at AS VARCHAR) FROM crm_opportunity WHERE membership_id = 'mem_t1'", String.class))
                .isEqualTo(updatedAt);
    }

    @Test
    void aWebhookAndAPullOfTheSameChangeApplyOnce() {
        long now = Instant.now().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_same_change", "mem_t1", "person1@example.com", "Person Number1", "active",
                false, T1).getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_same_change", now, body).statusCode()).isEqualTo(202);
        awaitStatus("msg_same_change", "DONE");

        whop.pages("members", List.of(), 2);
        whop.pages("memberships", List.of(membership(1, "active", false, T1)), 2);
        whop.pages("payments", List.of(), 2);
        awaitSync(startSync("full"), "COMPLETED");
        String pulled = "membership:mem_t1:" + Instant.parse(T1);
        awaitStatus(pulled, "DONE");

        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE event_id = ? AND status = 'DONE'", String.class, pulled))
                .containsExactly("this change was already applied earlier; nothing written");
        assertThat(jdbc.queryForObject("SELECT last_event_id FROM crm_opportunity WHERE membership_id = 'mem_t1'", String.class))
                .isEqualTo("msg_same_change");
    }

    @Test
    void anIncrementalPullAsksForPaymentsSinceTheWatermarkMinusTheOverlap() {
        serveBusiness();
        awaitSync(startSync("full"), "COMPLETED");
        whop.pages("payments", List.of(payment(9, 1, "failed", "2026-01-09T10:00:00.000Z")), 2);

        JsonNode run = awaitSync(startSync("incremental"), "COMPLETED");
        awaitInboxDrained();

        assertThat(run.path("updatedAfter").asText()).isEqualTo("2026-01-04T09:50:00Z");
        WHOP.verify(getRequestedFor(urlPathEqualTo("/api/v1/payments")).withQueryParam("updated_after", equalTo("2026-01-04T09:50:00Z")));
        assertThat(jdbc.queryForObject("SELECT text FROM crm_note WHERE external_id = 'pay_t9'", String.class)).contains("status failed");
        assertThat(jdbc.queryForObject("SELECT high_water FROM whop_sync_watermark WHERE resource = 'payments'", java.time.OffsetDateTime.class)
                .toInstant()).isEqualTo(Instant.parse("2026-01-09T10:00:00Z"));
    }

    @Test
    void reconciliationFindsMissingAndStaleRecordsAndOneCallRepairsThem() {
        serveBusiness();
        String id = startSync("full");
        awaitSync(id, "COMPLETED");
        awaitInboxDrained();
        JsonNode clean = adminJson("GET", "/api/sync/whop/" + id + "/reconciliation");
        assertThat(clean.path("resources").path("memberships").path("missingCount").asLong()).isZero();
        assertThat(clean.path("resources").path("memberships").path("whop").asLong()).isEqualTo(4);

        // someone deleted an opportunity in the CRM, and a note lost an update
        jdbc.update("DELETE FROM crm_opportunity WHERE membership_id = 'mem_t3'");
        jdbc.update("UPDATE crm_note SET source_updated_at = ? WHERE external_id = 'pay_t2'",
                java.time.OffsetDateTime.parse("2025-12-01T00:00:00Z"));
        JsonNode report = adminJson("GET", "/api/sync/whop/" + id + "/reconciliation");
        JsonNode memberships = report.path("resources").path("memberships");
        assertThat(memberships.path("whop").asLong()).isEqualTo(4);
        assertThat(memberships.path("crm").asLong()).isEqualTo(3);
        assertThat(memberships.path("missing").toString()).isEqualTo("[\"mem_t3\"]");
        assertThat(report.path("resources").path("payments").path("stale").toString()).isEqualTo("[\"pay_t2\"]");

        JsonNode repair = jsonOf(postAdmin("/api/sync/whop/" + id + "/repair", ""));
        assertThat(repair.path("requeued").asLong()).isEqualTo(2);
        awaitInboxDrained();

        JsonNode after = adminJson("GET", "/api/sync/whop/" + id + "/reconciliation");
        assertThat(after.path("resources").path("memberships").path("missingCount").asLong()).isZero();
        assertThat(after.path("resources").path("payments").path("staleCount").asLong()).isZero();
        assertThat(jdbc.queryForObject("SELECT stage FROM crm_opportunity WHERE membership_id = 'mem_t3'", String.class)).isEqualTo("won");
    }
}
