package io.sluice.crm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.support.ConformantHubSpot;
import io.sluice.support.Crms;
import io.sluice.support.CrmConformance;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests Sluice sends HubSpot when notes are upserted by a unique note property
 * ({@code sluice.crm.hubspot.note-id-property}): the note batch upsert and the note's associations to the contact
 * and the deal, checked like {@link HubSpotConformanceTest} against HubSpot's published client models.
 */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.access-token=" + HubSpotNoteUpsertConformanceTest.TOKEN,
        "sluice.crm.hubspot.max-requests=1000", "sluice.crm.hubspot.per=1s", "sluice.crm.hubspot.note-id-property=whop_note_id"})
class HubSpotNoteUpsertConformanceTest extends SluiceTestBase {

    static final String TOKEN = "pat-eu1-conformance-notes-0123456789";
    private static final ConformantHubSpot HUBSPOT = new ConformantHubSpot(TOKEN);
    private static final String T = "2026-01-20T14:03:11.000Z";

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
    void notesUpsertedByANotePropertyAndTheirAssociationsConformToHubSpotsClientModels() {
        awaitStatus(Crms.sendMembership(port, "msg_cfn_m1", 1, "active", false, T), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_cfn_p1", 7, 1, "payment.pending", "pending", "2026-01-20T14:00:00.000Z"), "DONE");
        awaitStatus(Crms.sendPayment(port, "msg_cfn_p2", 7, 1, "payment.succeeded", "succeeded", "2026-01-20T14:05:00.000Z"), "DONE");

        List<ObjectNode> exchanges = HUBSPOT.exchanges();
        CrmConformance.Result result = CrmConformance.check("hubspot", "hubspot-exchanges-note-upsert.json", exchanges);
        System.out.println(result.output());

        assertThat(result.exitCode()).as("conformance/hubspot/check.mjs on target/conformance/hubspot-exchanges-note-upsert.json:%n%s",
                result.output()).isZero();
        assertThat(result.output()).contains("hubspot conformance: " + exchanges.size() + " passed, 0 failed");
        assertThat(CrmConformance.covered(exchanges)).as("the kinds of HubSpot call captured").containsAll(Set.of(
                "contact.upsert -> 200", "deal.upsert -> 200", "pipelines.read -> 200", "deal.associate -> 200",
                "note.upsert -> 200", "note.associate -> 200"));
        assertThat(CrmConformance.covered(exchanges)).noneMatch(kind -> kind.startsWith("unrecognised"));
        // the note is associated with both the contact and the deal
        assertThat(exchanges).filteredOn(e -> e.path("operation").asText().equals("note.associate"))
                .extracting(e -> e.path("path").asText().replaceAll(".*/default/(\\w+)/.*", "$1")).contains("contacts", "deals");
    }
}
