package io.sluice.crm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.ConformantZoho;
import io.sluice.support.CrmConformance;
import io.sluice.support.Crms;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.util.List;
import java.util.Set;

import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of request Sluice sends Zoho CRM, and the answers of a Zoho shaped like Zoho's published SDK structures,
 * checked against them by {@code conformance/zoho/check.mjs} (@zohocrm/nodejs-sdk-8.0, pinned in its package.json):
 * webhooks (Contacts and Deals upserts, a note created and then updated, a rejected contact) and a backfill (batch
 * upserts, a deal refused in the batch). The SDK does not describe a record's module fields (they are the org's);
 * the checker lists them on each line.
 */
@TestPropertySource(properties = {"sluice.crm.provider=zoho", "sluice.crm.zoho.client-id=1000.CONFORMANCE",
        "sluice.crm.zoho.client-secret=zoho-conformance-secret", "sluice.crm.zoho.refresh-token=1000.conformance-refresh",
        "sluice.crm.zoho.max-requests=1000", "sluice.crm.zoho.per=1s"})
class ZohoConformanceTest extends WhopSyncTestBase {

    private static final ConformantZoho ZOHO = new ConformantZoho("1000.conformance-access");
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final String LATER = "2026-01-21T09:30:00.000Z";

    @DynamicPropertySource
    static void zoho(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.zoho.accounts-url", ZOHO::baseUrl);
        registry.add("sluice.crm.zoho.api-base-url", ZOHO::baseUrl);
    }

    @BeforeEach
    void conformantZoho() {
        ZOHO.reset();
        jdbc.update("DELETE FROM crm_write_version");
        assertThat(preflight.runNow().status()).isEqualTo(io.sluice.crm.CrmCheck.Status.OK);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.sluice.crm.CrmPreflight preflight;

    @Test
    void everyRequestSluiceSendsAndEveryAnswerConformToZohosSdkStructures() {
        awaitStatus(Crms.sendMembership(port, "msg_zcf_m1", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_zcf_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_zcf_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");
        ZOHO.reject("person9@example.com");
        awaitStatus(Crms.sendMembership(port, "msg_zcf_bad", 9, "active", false, T), "DEAD");

        ZOHO.refuse("mem_t4");
        whop.pages("members", WhopApiStub.list(3, i -> member(i, LATER)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, LATER)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", LATER)), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        List<ObjectNode> exchanges = ZOHO.exchanges();
        CrmConformance.Result result = CrmConformance.check("zoho", "zoho-exchanges.json", exchanges);
        System.out.println(result.output());

        assertThat(result.exitCode()).as("conformance/zoho/check.mjs on target/conformance/zoho-exchanges.json:%n%s",
                result.output()).isZero();
        assertThat(result.output()).contains("zoho conformance: " + exchanges.size() + " passed, 0 failed");
        assertThat(CrmConformance.covered(exchanges)).as("the kinds of Zoho call captured").containsAll(Set.of(
                "contact.upsert -> 200", "contact.upsert -> 400", "contact.upsert batch -> 200",
                "deal.upsert -> 200", "deal.upsert batch -> 200", "note.create -> 201", "note.update -> 200"));
        assertThat(CrmConformance.covered(exchanges)).noneMatch(kind -> kind.startsWith("unrecognised"));
        assertThat(exchanges).anyMatch(e -> e.path("responseBody").path("data").findValuesAsText("status").contains("error"));
    }

    @Test
    void theStartUpCheckNamesAStageTheDealsPicklistLacks() {
        ZOHO.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/crm/v8/settings/fields")).atPriority(1)
                .withQueryParam("module", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Deals"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"fields\":[{\"api_name\":\"Deal_Name\"},"
                        + "{\"api_name\":\"Stage\",\"pick_list_values\":[{\"actual_value\":\"Closed Won\"}]}]}")));

        io.sluice.crm.CrmCheck check = preflight.runNow();

        assertThat(check.status()).isEqualTo(io.sluice.crm.CrmCheck.Status.PROBLEM);
        assertThat(check.reason()).contains("Deals fields").contains("Whop_Membership_ID").contains("Closed Lost")
                .contains("missing from the Deals Stage picklist");
    }

    @Test
    void theCheckerFailsAMemberTheSdkStructureDoesNotHave() {
        ObjectNode exchange = json.createObjectNode().put("operation", "note.create").put("method", "POST").put("path", "/crm/v8/Notes")
                .put("responseStatus", 201);
        exchange.putObject("requestBody").putArray("data").addObject().put("Note_Content", "x").put("Note_Colour", "red");
        exchange.putObject("responseBody").putArray("data").addObject().put("code", "SUCCESS").put("message", "record added")
                .put("status", "success").putObject("details").put("id", "111111000000157333");

        CrmConformance.Result result = CrmConformance.check("zoho", "negative-zoho.json", List.of(exchange));

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("request.data[0].Note_Colour: notes/note has no member 'Note_Colour'")
                .contains("zoho conformance: 0 passed, 1 failed");
    }
}
