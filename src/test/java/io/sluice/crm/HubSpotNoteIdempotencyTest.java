package io.sluice.crm;

import io.sluice.support.ConformantHubSpot;
import io.sluice.support.Crms;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With HubSpot's settings as shipped, a note whose answer is lost (HubSpot wrote it, the answer came after Sluice
 * stopped waiting) is written again onto the same note when the event is retried: never a second copy.
 */
@TestPropertySource(properties = {"sluice.crm.provider=hubspot", "sluice.crm.hubspot.access-token=" + HubSpotNoteIdempotencyTest.TOKEN,
        "sluice.crm.hubspot.max-requests=1000", "sluice.crm.hubspot.per=1s",
        "camel.component.http.response-timeout=1000", "camel.component.http.so-timeout=1000"})
class HubSpotNoteIdempotencyTest extends SluiceTestBase {

    static final String TOKEN = "pat-eu1-notes-0123456789";
    private static final ConformantHubSpot HUBSPOT = new ConformantHubSpot(TOKEN);
    private static final String T = "2026-01-20T14:03:11.000Z";

    @DynamicPropertySource
    static void hubspot(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.hubspot.base-url", HUBSPOT::baseUrl);
    }

    @Autowired
    private CrmPreflight preflight;

    @BeforeEach
    void hubSpot() {
        HUBSPOT.reset();
        jdbc.update("DELETE FROM crm_write_version");
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @Test
    void aNoteWhoseAnswerWasLostIsNotCreatedTwice() {
        awaitStatus(Crms.sendMembership(port, "msg_ni_m", 1, "active", false, T), "DONE");
        HUBSPOT.loseNextAnswer("/crm/v3/objects/notes", Duration.ofMillis(2500));

        String payment = Crms.sendPayment(port, "msg_ni_p", 7, 1, "payment.succeeded", "succeeded", T);
        awaitStatus(payment, "DONE");

        assertThat(adminJson("GET", "/api/events/" + payment).path("history").toString()).as("the lost answer").contains("cannot reach hubspot");
        assertThat(HUBSPOT.notesHeld()).as("notes in HubSpot").isEqualTo(1);
    }
}
