package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.TwentyRecordings;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.util.List;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Whop backfill into Twenty goes as batch upserts, one call per object kind; when Twenty refuses a batch, every
 * record is retried alone and only the one Twenty refuses is dead-lettered.
 */
@TestPropertySource(properties = {"sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=twenty-backfill-key",
        "sluice.crm.twenty.max-requests=1000", "sluice.crm.twenty.per=1s", "sluice.crm.write-lock-wait=300ms"})
class TwentyBackfillTest extends WhopSyncTestBase {

    private static final WireMockServer TWENTY = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .extensions(new TwentyRecordings.PeopleEcho()));
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        TWENTY.start();
    }

    @DynamicPropertySource
    static void twenty(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.twenty.base-url", TWENTY::baseUrl);
    }

    @BeforeEach
    void twentyAnswers() {
        TWENTY.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        jdbc.update("DELETE FROM crm_pending_note_link");
        // answers recorded from Twenty 2.21; people answered per request, in the recorded envelope (data.createPeople)
        TWENTY.stubFor(upsert("people").willReturn(TwentyRecordings.answer("batch-people-upsert-create")
                .withTransformers(TwentyRecordings.PeopleEcho.NAME)));
        TWENTY.stubFor(upsert("opportunities").willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create")));
        TWENTY.stubFor(upsert("opportunities").atPriority(1).withRequestBody(containing("\"LOST\""))
                .willReturn(TwentyRecordings.answer("error-400-batch-opportunities-bad-stage")));
        TWENTY.stubFor(upsert("notes").willReturn(TwentyRecordings.answer("batch-notes-upsert-create")));
        TWENTY.stubFor(upsert("noteTargets").willReturn(TwentyRecordings.answer("batch-noteTargets-upsert-create")));
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        TWENTY.stubFor(post(urlPathEqualTo("/metadata")).willReturn(TwentyRecordings.metadata(TwentyRecordings.preparedWorkspace(), Set.of())));
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private CrmPreflight preflight;

    private static MappingBuilder upsert(String plural) {
        return post(urlPathEqualTo("/rest/batch/" + plural)).withQueryParam("upsert", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer twenty-backfill-key"));
    }


    @Test
    void aBackfillGoesAsOneBatchPerKindAndARefusedRecordDeadLettersAlone() {
        whop.pages("members", WhopApiStub.list(3, i -> member(i, T)), 2);
        whop.pages("memberships", WhopApiStub.list(3, i -> membership(i, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", T)), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN); // the whole backfill reaches the inbox first: one batch
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(9);
        List<LoggedRequest> people = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(people).hasSize(1);
        assertThat(records(people.get(0))).isEqualTo(3);
        assertThat(records(TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/opportunities"))).get(0))).isEqualTo(3);
        assertThat(records(TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/notes"))).get(0))).isEqualTo(3);
        assertThat(records(TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/noteTargets"))).get(0))).isEqualTo(6);

        // a second run with a record Twenty refuses: the batch fails, each record is retried alone
        TWENTY.resetRequests();
        whop.pages("memberships", List.of(membership(1, "active", false, "2026-02-01T00:00:00.000Z"),
                membership(4, "canceled", false, "2026-02-01T00:00:00.000Z")), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        assertThat(jdbc.queryForList("SELECT event_id FROM dead_letter", String.class))
                .containsExactly("membership:mem_t4:2026-02-01T00:00:00Z");
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter", String.class)).contains("Invalid value");
        assertThat(eventStatus("membership:mem_t1:2026-02-01T00:00:00Z")).isEqualTo("DONE");
        assertThat(TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/opportunities")))).hasSize(3); // batch, then each alone
    }

    @Test
    void onePersonsRecordsInSeveralBatchesGoOneBatchAfterTheOtherAndNeverFallBackToSingleWrites() {
        whop.pages("members", List.of(), 2);
        whop.pages("memberships", List.of(membership(1, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(130, i -> payment(i, 1, "succeeded", T)), 100); // one person: three batches
        // a notes call outlasts sluice.crm.write-lock-wait (300 ms): two of this person's batches written at once would
        // make the second give up waiting for the first's leases and send its 60 records one by one
        TWENTY.stubFor(upsert("notes").atPriority(1).willReturn(TwentyRecordings.answer("batch-notes-upsert-create").withFixedDelay(700)));
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(131);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        List<LoggedRequest> notes = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/notes")));
        assertThat(notes).as("notes calls").hasSize(3);
        assertThat(notes.stream().mapToInt(this::records).sum()).isEqualTo(130);
    }

    @Test
    void aLongBackfillWaitsInTheInboxNotInMemory() throws Exception {
        whop.pages("members", List.of(), 2);
        whop.pages("memberships", List.of(), 2);
        whop.pages("payments", WhopApiStub.list(1500, i -> payment(i, i, "succeeded", T)), 100);
        TWENTY.stubFor(upsert("notes").atPriority(1).willReturn(TwentyRecordings.answer("batch-notes-upsert-create").withFixedDelay(100)));
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);

        long mostClaimed = 0;
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (count("SELECT COUNT(*) FROM event_log WHERE status IN ('RECEIVED', 'PROCESSING')") > 0 && System.nanoTime() < deadline) {
            mostClaimed = Math.max(mostClaimed, count("SELECT COUNT(*) FROM event_log WHERE status = 'PROCESSING'"));
            Thread.sleep(50);
        }
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(1500);
        // a few batches ahead of the writers (claimed, gathered, being written), never the whole backfill
        assertThat(mostClaimed).isGreaterThan(60).isLessThan(1000);
    }

    @Test
    void aMembershipAndALaterPaymentOfOnePersonInOneBatchKeepTheMembershipsName() {
        whop.pages("members", List.of(), 2);
        whop.pages("memberships", WhopApiStub.list(2, i -> membership(i, "active", false, "2026-01-20T00:00:00.000Z")), 2);
        // the payments are newer and carry no name in the mapping: the name must not be lost in the batch
        whop.pages("payments", WhopApiStub.list(2, i -> payment(i, i, "succeeded", "2026-01-21T00:00:00.000Z")), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        List<LoggedRequest> people = TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/people")));
        assertThat(people).hasSize(1);
        JsonNode sent = body(people.get(0));
        assertThat(sent).hasSize(2);
        for (JsonNode person : sent) {
            assertThat(person.path("name").path("firstName").asText()).as(person.toString()).isEqualTo("Person");
            assertThat(person.path("name").path("lastName").asText()).startsWith("Number");
            assertThat(person.path("whopUserId").asText()).startsWith("user_t");
        }
    }

    private JsonNode body(LoggedRequest request) {
        try {
            return json.readTree(request.getBodyAsString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int records(LoggedRequest request) {
        try {
            JsonNode body = json.readTree(request.getBodyAsString());
            return body.size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
