package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
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
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/** A Whop backfill into Zoho: one Contacts and one Deals upsert for the batch; a record Zoho refuses dead-letters alone. */
@TestPropertySource(properties = {"sluice.crm.provider=zoho", "sluice.crm.zoho.client-id=1000.ID", "sluice.crm.zoho.client-secret=s",
        "sluice.crm.zoho.refresh-token=1000.r", "sluice.crm.zoho.max-requests=1000", "sluice.crm.zoho.per=1s"})
class ZohoBackfillTest extends WhopSyncTestBase {

    private static final WireMockServer ZOHO = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String T = "2026-01-20T14:03:11.000Z";

    static {
        ZOHO.start();
    }

    @DynamicPropertySource
    static void zoho(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.zoho.accounts-url", ZOHO::baseUrl);
        registry.add("sluice.crm.zoho.api-base-url", ZOHO::baseUrl);
    }

    @BeforeEach
    void zohoAnswers() {
        ZOHO.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        ZOHO.stubFor(post(urlPathEqualTo("/oauth/v2/token")).willReturn(okJson("{\"access_token\":\"1000.a\",\"expires_in\":3600}")));
        ZOHO.stubFor(post(urlPathEqualTo("/crm/v8/Contacts/upsert")).willReturn(okJson(records(4, 0, "c"))));
        // the fourth deal is refused, in the batch and again alone
        ZOHO.stubFor(post(urlPathEqualTo("/crm/v8/Deals/upsert")).willReturn(okJson(records(4, 4, "d"))));
        ZOHO.stubFor(post(urlPathEqualTo("/crm/v8/Deals/upsert")).atPriority(1).withRequestBody(matchingJsonPath("$.data.length()", equalTo("1")))
                .willReturn(okJson(records(1, 1, "d"))));
        ZOHO.stubFor(post(urlPathEqualTo("/crm/v8/Notes")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(records(1, 0, "n"))));
        preflight.runNow(); // the fields are not stubbed here: checked with a warning
        ZOHO.resetRequests();
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.sluice.crm.CrmPreflight preflight;

    /** {@code count} per-record answers; the one at position {@code refused} (1-based, 0 for none) is an error. */
    private static String records(int count, int refused, String prefix) {
        return "{\"data\":[" + IntStream.rangeClosed(1, count).mapToObj(i -> i == refused
                ? "{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Amount\"},\"message\":\"invalid data\",\"status\":\"error\"}"
                : "{\"code\":\"SUCCESS\",\"details\":{\"id\":\"" + prefix + i + "\"},\"message\":\"record added\",\"status\":\"success\"}")
                .collect(Collectors.joining(",")) + "]}";
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

        var contacts = ZOHO.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/crm/v8/Contacts/upsert")));
        var batch = json.readTree(contacts.get(0).getBodyAsString());
        var records = batch.has("inputs") ? batch.path("inputs") : batch.path("data");
        assertThat(records).hasSize(2);
        for (var record : records) {
            var fields = record.has("properties") ? record.path("properties") : record;
            assertThat(fields.path("First_Name").asText()).as(record.toString()).isEqualTo("Person");
            assertThat(fields.path("Last_Name").asText()).as(record.toString()).startsWith("Number");
        }
    }

    @Test
    void aBackfillUpsertsContactsAndDealsInBatchesAndARefusedRecordDeadLettersAlone() {
        whop.pages("members", WhopApiStub.list(3, i -> member(i, T)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, T)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", T)), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'")).isEqualTo(9);
        assertThat(jdbc.queryForList("SELECT event_id FROM dead_letter", String.class))
                .containsExactly("membership:mem_t4:" + java.time.Instant.parse(T));
        assertThat(jdbc.queryForObject("SELECT error FROM dead_letter", String.class)).contains("INVALID_DATA").contains("Amount");
        List<LoggedRequest> contacts = ZOHO.findAll(postRequestedFor(urlPathEqualTo("/crm/v8/Contacts/upsert")));
        assertThat(size(contacts.get(0))).isEqualTo(4);
        List<LoggedRequest> deals = ZOHO.findAll(postRequestedFor(urlPathEqualTo("/crm/v8/Deals/upsert")));
        assertThat(deals).hasSize(2);
        assertThat(size(deals.get(0))).isEqualTo(4);
        assertThat(size(deals.get(1))).isEqualTo(1);
    }

    private int size(LoggedRequest request) {
        try {
            JsonNode body = json.readTree(request.getBodyAsString());
            return body.path("data").size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
