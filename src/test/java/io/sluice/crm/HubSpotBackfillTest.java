package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Whop backfill into HubSpot uses batch upserts (one call for many contacts, one for many deals, one association
 * call), and a record HubSpot refuses in a batch dead-letters alone while the rest completes.
 */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.note-id-property=", "sluice.crm.hubspot.access-token=pat-backfill-token",
        "sluice.crm.hubspot.max-requests=1000", "sluice.crm.hubspot.per=1s"})
class HubSpotBackfillTest extends WhopSyncTestBase {

    private static final WireMockServer HUBSPOT = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        HUBSPOT.start();
    }

    @DynamicPropertySource
    static void hubspot(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.hubspot.base-url", HUBSPOT::baseUrl);
    }

    @BeforeEach
    void hubspotAnswers() {
        HUBSPOT.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        String contacts = IntStream.rangeClosed(1, 4).mapToObj(i -> "{\"id\":\"" + (50 + i) + "\",\"new\":true,\"properties\":"
                + "{\"email\":\"person" + i + "@example.com\"}}").collect(Collectors.joining(","));
        HUBSPOT.stubFor(api(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")))
                .willReturn(okJson("{\"status\":\"COMPLETE\",\"results\":[" + contacts + "]}")));
        String deals = IntStream.rangeClosed(1, 3).mapToObj(i -> "{\"id\":\"" + (900 + i) + "\",\"new\":true,\"properties\":"
                + "{\"whop_membership_id\":\"mem_t" + i + "\"}}").collect(Collectors.joining(","));
        // mem_t4 is refused: in the batch (a 207) and again when it is tried alone
        HUBSPOT.stubFor(api(post(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert"))).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"COMPLETE\",\"results\":[" + deals + "],"
                        + "\"numErrors\":1,\"errors\":[{\"status\":\"error\",\"category\":\"VALIDATION_ERROR\","
                        + "\"message\":\"Property values were not valid: amount for mem_t4\"}]}")));
        HUBSPOT.stubFor(api(get(urlPathEqualTo("/crm/v3/pipelines/deals"))).willReturn(okJson("{\"results\":[{\"id\":\"default\","
                + "\"label\":\"Sales Pipeline\",\"stages\":[{\"id\":\"appointmentscheduled\",\"label\":\"Appointment Scheduled\"},"
                + "{\"id\":\"qualifiedtobuy\",\"label\":\"Qualified To Buy\"},{\"id\":\"decisionmakerboughtin\",\"label\":\"Decision Maker Bought-In\"},"
                + "{\"id\":\"closedwon\",\"label\":\"Closed Won\"},{\"id\":\"closedlost\",\"label\":\"Closed Lost\"}]}]}")));
        HUBSPOT.stubFor(api(post(urlPathEqualTo("/crm/v4/associations/deals/contacts/batch/associate/default")))
                .willReturn(okJson("{\"status\":\"COMPLETE\",\"results\":[]}")));
        HUBSPOT.stubFor(api(post(urlPathEqualTo("/crm/v3/objects/notes"))).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"7001\"}")));
        assertThat(preflight.runNow().status()).isEqualTo(io.sluice.crm.CrmCheck.Status.OK);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.sluice.crm.CrmPreflight preflight;

    private static MappingBuilder api(MappingBuilder request) {
        return request.withHeader("Authorization", equalTo("Bearer pat-backfill-token"));
    }

    @Test
    void aMembershipAndALaterPaymentOfOnePersonInOneBatchKeepTheMembershipsName() throws Exception {
        whop.pages("members", List.of(), 2);
        whop.pages("memberships", WhopApiStub.list(2, i -> membership(i, "active", false, "2026-01-20T00:00:00.000Z")), 2);
        // the payments are newer and carry no name in the mapping: the batch still sends the membership's name
        whop.pages("payments", WhopApiStub.list(2, i -> payment(i, i, "succeeded", "2026-01-21T00:00:00.000Z")), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        var contacts = HUBSPOT.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
        var batch = json.readTree(contacts.get(0).getBodyAsString());
        var records = batch.has("inputs") ? batch.path("inputs") : batch.path("data");
        assertThat(records).hasSize(2);
        for (var record : records) {
            var fields = record.has("properties") ? record.path("properties") : record;
            assertThat(fields.path("firstname").asText()).as(record.toString()).isEqualTo("Person");
            assertThat(fields.path("lastname").asText()).as(record.toString()).startsWith("Number");
        }
    }

    @Test
    void aBackfillWritesInBatchesAndARefusedRecordDeadLettersAlone() {
        whop.pages("members", WhopApiStub.list(3, i -> member(i, T)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", T)), 2);
        // hold processing until the whole backfill is in the inbox, so it goes to HubSpot as one batch
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(9);
        String dead = jdbc.queryForObject("SELECT event_id FROM dead_letter", String.class);
        assertThat(dead).isEqualTo("membership:mem_t4:" + java.time.Instant.parse(T));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter", String.class)).contains("amount for mem_t4");
        assertThat(jdbc.queryForList("SELECT detail FROM event_history WHERE status = 'DONE'", String.class))
                .anyMatch(d -> d.contains("in a batch of"));

        List<LoggedRequest> contactCalls = HUBSPOT.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert")));
        List<LoggedRequest> dealCalls = HUBSPOT.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")));
        assertThat(inputs(contactCalls.get(0))).isEqualTo(4); // four people in one call
        assertThat(inputs(dealCalls.get(0))).isEqualTo(4);
        assertThat(dealCalls).hasSize(2); // the batch, then mem_t4 alone
        assertThat(inputs(dealCalls.get(1))).isEqualTo(1);
        HUBSPOT.verify(exactly(1), postRequestedFor(urlPathEqualTo("/crm/v4/associations/deals/contacts/batch/associate/default"))
                .withRequestBody(matchingJsonPath("$.inputs[2].from.id", containing("903"))));
        HUBSPOT.verify(exactly(3), postRequestedFor(urlPathEqualTo("/crm/v3/objects/notes")));
    }

    private int inputs(LoggedRequest request) {
        try {
            JsonNode body = json.readTree(request.getBodyAsString());
            return body.path("inputs").size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
