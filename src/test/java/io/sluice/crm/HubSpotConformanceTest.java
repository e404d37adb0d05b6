package io.sluice.crm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.ConformantHubSpot;
import io.sluice.support.Crms;
import io.sluice.support.CrmConformance;
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
 * Every kind of request Sluice sends HubSpot, and the answers of a HubSpot shaped like HubSpot's published client
 * models, checked against those models by {@code conformance/hubspot/check.mjs} (@hubspot/api-client, pinned in its
 * package.json): webhooks (a contact and deal upsert, the stage lookup, the deal's association, a note created and
 * then updated, a rejected contact) and a backfill (batch upserts, the batch association, a deal refused in a
 * batch). Notes upserted by a note property are covered by {@link HubSpotNoteUpsertConformanceTest}.
 */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.note-id-property=", "sluice.crm.hubspot.access-token=" + HubSpotConformanceTest.TOKEN,
        "sluice.crm.hubspot.max-requests=1000", "sluice.crm.hubspot.per=1s"})
class HubSpotConformanceTest extends WhopSyncTestBase {

    static final String TOKEN = "pat-eu1-conformance-0123456789";
    private static final ConformantHubSpot HUBSPOT = new ConformantHubSpot(TOKEN);
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final String LATER = "2026-01-21T09:30:00.000Z";

    @DynamicPropertySource
    static void hubspot(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.hubspot.base-url", HUBSPOT::baseUrl);
    }

    @BeforeEach
    void conformantHubSpot() {
        HUBSPOT.reset();
        jdbc.update("DELETE FROM crm_write_version");
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK); // the start-up check's calls are checked too
    }

    @org.springframework.beans.factory.annotation.Autowired
    private CrmPreflight preflight;

    @Test
    void everyRequestSluiceSendsAndEveryAnswerConformToHubSpotsClientModels() {
        // webhooks, one change at a time
        awaitStatus(Crms.sendMembership(port, "msg_cf_m1", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_cf_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_cf_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");
        HUBSPOT.reject("person9@example.com");
        awaitStatus(Crms.sendMembership(port, "msg_cf_bad", 9, "active", false, T), "DEAD");

        // a backfill, newer than the webhooks, written in batches; mem_t4 is refused in the batch (a 207)
        HUBSPOT.refuse("mem_t4");
        whop.pages("members", WhopApiStub.list(3, i -> member(i, LATER)), 2);
        whop.pages("memberships", WhopApiStub.list(4, i -> membership(i, "active", false, LATER)), 2);
        whop.pages("payments", WhopApiStub.list(3, i -> payment(i, i, "succeeded", LATER)), 2);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN); // hold processing until the whole backfill is in, so it is one batch
        awaitSync(startSync("full"), "COMPLETED");
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        awaitInboxDrained();

        List<ObjectNode> exchanges = HUBSPOT.exchanges();
        CrmConformance.Result result = CrmConformance.check("hubspot", "hubspot-exchanges.json", exchanges);
        System.out.println(result.output());

        assertThat(result.exitCode()).as("conformance/hubspot/check.mjs on target/conformance/hubspot-exchanges.json:%n%s",
                result.output()).isZero();
        assertThat(result.output()).contains("hubspot conformance: " + exchanges.size() + " passed, 0 failed");
        assertThat(CrmConformance.covered(exchanges)).as("the kinds of HubSpot call captured").containsAll(Set.of(
                "contact.upsert -> 200", "contact.upsert -> 400", "contact.upsert batch -> 200",
                "deal.upsert -> 200", "deal.upsert -> 207", "deal.upsert batch -> 207",
                "pipelines.read -> 200", "deal.associate -> 200", "deal.associate.batch -> 200",
                "note.create -> 201", "note.update -> 200", "check.properties -> 200"));
        assertThat(CrmConformance.covered(exchanges)).noneMatch(kind -> kind.startsWith("unrecognised"));
    }

    @Test
    void theCheckerFailsAPropertyTheClientModelDoesNotDefine() {
        String request = "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"a@b.c\",\"properties\":{}%s}]}";
        String response = "{\"status\":\"COMPLETE\",\"startedAt\":\"2026-02-01T12:00:00.100Z\",\"completedAt\":\"2026-02-01T12:00:00.400Z\","
                + "\"results\":[{\"id\":\"51\",\"new\":true,\"properties\":{\"email\":\"a@b.c\"},\"createdAt\":\"2026-02-01T12:00:00.100Z\","
                + "\"updatedAt\":\"2026-02-01T12:00:00.100Z\"}]}";

        CrmConformance.Result clean = CrmConformance.check("hubspot", "negative-clean.json",
                List.of(exchange(String.format(request, ""), response)));
        CrmConformance.Result bogus = CrmConformance.check("hubspot", "negative-bogus.json",
                List.of(exchange(String.format(request, ",\"bogus\":1"), response)));

        assertThat(clean.exitCode()).as(clean.output()).isZero();
        assertThat(bogus.exitCode()).as(bogus.output()).isNotZero();
        assertThat(bogus.output()).contains("request.inputs[0].bogus: SimplePublicObjectBatchInputUpsert defines no property 'bogus'")
                .contains("hubspot conformance: 0 passed, 1 failed");
    }

    @Test
    void theCheckerFailsAnEndpointTheClientDoesNotHave() {
        ObjectNode unknown = json.createObjectNode().put("operation", "contact.upsert").put("method", "POST")
                .put("path", "/crm/v3/objects/contacts/batch/upsert-all").put("responseStatus", 200);

        CrmConformance.Result result = CrmConformance.check("hubspot", "negative-endpoint.json", List.of(unknown));

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("the client has no operation for the path /crm/v3/objects/contacts/batch/upsert-all");
    }

    private ObjectNode exchange(String requestBody, String responseBody) {
        try {
            return json.createObjectNode().put("operation", "contact.upsert").put("method", "POST")
                    .put("path", "/crm/v3/objects/contacts/batch/upsert").<ObjectNode>set("requestBody", json.readTree(requestBody))
                    .put("responseStatus", 200).set("responseBody", json.readTree(responseBody));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
