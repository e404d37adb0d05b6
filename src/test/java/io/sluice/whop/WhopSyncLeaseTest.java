package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.sluice.support.WhopApiStub.member;
import static io.sluice.support.WhopApiStub.membership;
import static io.sluice.support.WhopApiStub.payment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pull that lasts many leases stays this process's: its lease is renewed for as long as the whop-sync route pulls
 * it, so no check (this process's or another replica's) takes it over and no page is pulled twice.
 */
@TestPropertySource(properties = "sluice.inbox.lease=1s")
class WhopSyncLeaseTest extends WhopSyncTestBase {

    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final int MEMBERSHIP_PAGES = 8;

    @AfterEach
    void noDelay() {
        WHOP.setGlobalFixedDelay(0);
    }

    @Test
    void aPullLongerThanItsLeaseIsPulledOnceByTheProcessPullingIt() {
        whop.pages("memberships", WhopApiStub.list(2 * MEMBERSHIP_PAGES, i -> membership(i, "active", false, T)), 2);
        whop.pages("members", WhopApiStub.list(2, i -> member(i, T)), 2);
        whop.pages("payments", WhopApiStub.list(1, i -> payment(i, i, "succeeded", T)), 2);
        // 8 pages of 300 ms each: the run outlasts its 1 s lease twice over
        WHOP.setGlobalFixedDelay(300);

        String id = startSync("full");
        JsonNode run = awaitSync(id, "COMPLETED");

        assertThat(run.path("records").asLong()).isEqualTo(2L * MEMBERSHIP_PAGES + 2 + 1);
        WHOP.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/memberships")).withQueryParam("after", absent()));
        for (int page = 1; page < MEMBERSHIP_PAGES; page++) {
            WHOP.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/memberships"))
                    .withQueryParam("after", equalTo(WhopApiStub.cursor("memberships", page))));
        }
        WHOP.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/members")));
        WHOP.verify(exactly(1), getRequestedFor(urlPathEqualTo("/api/v1/payments")));
        assertThat(run.path("lastError").isMissingNode() || run.path("lastError").isNull()).as(run.toString()).isTrue();
    }
}
