package io.sluice.processing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.crm.CrmCheck;
import io.sluice.crm.CrmPreflight;
import io.sluice.support.Crms;
import io.sluice.support.RollingWindow;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.TwentyRecordings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst of new members against a Twenty whose workspace budget is enforced as Twenty does (scaled down: 12 requests
 * per 3 s instead of 100 per 60 s, Sluice's budget 10 per 3 s instead of 80 per 60 s), answering past it with the
 * recorded 429, which names no wait: Sluice's pacing stays inside the window, and a stricter workspace (other clients
 * spending it) is waited out with no breaker opened and no dead letter.
 */
@TestPropertySource(properties = {"sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + TwentyRateLimitTest.KEY,
        "sluice.crm.twenty.max-requests=10", "sluice.crm.twenty.per=3s", "sluice.crm.twenty.rate-limit-wait=3s",
        "sluice.crm.breaker.minimum-number-of-calls=5", "sluice.crm.breaker.sliding-window-size=10"})
class TwentyRateLimitTest extends SluiceTestBase {

    static final String KEY = "twenty_ratelimit_key_0123456789";
    private static final RollingWindow WORKSPACE = new RollingWindow();
    private static final WireMockServer TWENTY = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(WORKSPACE));
    private static final String T = "2026-01-20T14:03:11.000Z";
    private static final int MEMBERS = 16;

    static {
        TWENTY.start();
    }

    @DynamicPropertySource
    static void twenty(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.twenty.base-url", TWENTY::baseUrl);
    }

    @Autowired
    private CrmPreflight preflight;
    @Autowired
    private CircuitBreaker crmCircuitBreaker;

    @BeforeEach
    void twentyWorkspace() {
        WORKSPACE.off();
        TWENTY.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        TWENTY.stubFor(upsert("people").willReturn(TwentyRecordings.answer("batch-people-upsert-create")));
        TWENTY.stubFor(upsert("opportunities").willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create")));
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        TWENTY.stubFor(post(urlPathEqualTo("/metadata")).willReturn(TwentyRecordings.metadata(TwentyRecordings.preparedWorkspace(), Set.of())));
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @Test
    void aBurstStaysWithinTheWorkspaceWindow() {
        WORKSPACE.enforce(12, Duration.ofSeconds(3), TwentyRecordings.answer("error-429-rate-limit-batch-upsert"));

        List<String> ids = sendBurst("msg_tl");

        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == MEMBERS);
        assertThat(WORKSPACE.tooManyAnswers()).as("429s answered").isZero();
        assertThat(WORKSPACE.busiestWindow()).as("most requests in any 3 s").isLessThanOrEqualTo(12).isGreaterThan(5);
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(ids).allSatisfy(id -> assertThat(eventStatus(id)).isEqualTo("DONE"));
    }

    @Test
    void aWorkspaceOtherClientsSpendIsWaitedOut() {
        WORKSPACE.enforce(6, Duration.ofSeconds(3), TwentyRecordings.answer("error-429-rate-limit-batch-upsert"));
        AtomicBoolean opened = new AtomicBoolean();
        crmCircuitBreaker.getEventPublisher().onStateTransition(t -> opened.compareAndSet(false,
                t.getStateTransition().getToState() == CircuitBreaker.State.OPEN));

        List<String> ids = sendBurst("msg_ts");

        await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT COUNT(*) FROM event_log WHERE status = 'DONE'") == MEMBERS);
        assertThat(WORKSPACE.tooManyAnswers()).as("429s answered").isPositive();
        assertThat(opened).as("the breaker opened").isFalse();
        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
        assertThat(count("SELECT COUNT(*) FROM event_history WHERE status = 'WAITING' AND detail LIKE '%HTTP 429%'")).isPositive();
        assertThat(ids).allSatisfy(id -> assertThat(eventStatus(id)).isEqualTo("DONE"));
    }

    private List<String> sendBurst(String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            ids.add(Crms.sendMembership(port, prefix + i, 200 + i, "active", false, T));
        }
        return ids;
    }

    private static MappingBuilder upsert(String plural) {
        return post(urlPathEqualTo("/rest/batch/" + plural)).withQueryParam("upsert", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + KEY));
    }
}
