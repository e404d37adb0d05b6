package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * Sluice as users run it: the real routes from {@code routes/}, the real mapping, a real database (H2 in memory here,
 * PostgreSQL with {@link OnPostgres}) and real HTTP on a random port.
 */
@CamelSpringBootTest
@DisableJmx(false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:${random.uuid};MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "sluice.data-dir=target/test-data-${sluice.test.fork:0}",
        "sluice.admin.token=" + SluiceTestBase.ADMIN_TOKEN,
        "sluice.whop.webhook-secrets=ws_0ld5ecret0000000000000000000000000000000000000000000000000000000," + Webhooks.SECRET,
        "sluice.processing.max-redeliveries=2",
        "sluice.processing.redelivery-delay=20",
        "sluice.processing.max-redelivery-delay=100",
        // a failure that waiting heals is tried again soon, as often as a test needs, never dead-lettered by time
        "sluice.processing.retry-schedule=200ms",
        "sluice.inbox.poll-interval=50",
        "sluice.routes.reload=false",
        // the CRM check runs when a test asks (CrmPreflight.runNow), never by the clock in the middle of one; every
        // refusal re-runs it, so a test's outcome never depends on another test's refusal a few seconds earlier
        "sluice.crm.check-interval=1h",
        "sluice.crm.check-interval-while-broken=1h",
        "sluice.crm.refusal-recheck-gap=0s",
        // tests that count events or notes do not want lead-scoring events beside them; AiEnrichmentTest turns it on
        "sluice.ai.enrich-on="})
@Import(TestInfrastructure.class)
@AutoConfigureObservability
public abstract class SluiceTestBase {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    private static final String[] TABLES = {"event_history", "event_log", "camel_messageprocessed", "dead_letter", "pause",
            "crm_note", "crm_opportunity", "crm_person", "whop_sync_item", "whop_sync_progress", "whop_sync_run",
            "whop_sync_watermark", "whop_connection", "oauth_pending", "contract_step", "contract", "crm_pending_note_link"};
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcTemplate jdbc;
    @Autowired
    protected MutableClock clock;
    @Autowired
    protected FaultyCrm crm;
    @Autowired
    protected DataSource dataSource;
    @Autowired
    protected ObjectMapper json;

    @Autowired
    private io.sluice.crm.CrmPreflight preflight;
    @Autowired
    private io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers;
    @Autowired
    protected io.sluice.http.ProviderLimits limits;

    @BeforeEach
    void cleanSlate() {
        // the check Sluice runs once it is up must be over before a test stubs the CRM it talks to
        await().atMost(Duration.ofSeconds(60)).until(() -> preflight.last().status() != io.sluice.crm.CrmCheck.Status.PENDING);
        crm.heal();
        ((SwitchableDataSource) dataSource).setDown(false);
        // what an earlier test left waiting, an open breaker or a 429 hold must not hold this test's events
        jdbc.update("UPDATE event_log SET status = 'IGNORED' WHERE status = 'WAITING'");
        breakers.getAllCircuitBreakers().forEach(io.github.resilience4j.circuitbreaker.CircuitBreaker::reset);
        limits.releaseHolds();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                count("SELECT COUNT(*) FROM event_log WHERE status IN ('RECEIVED', 'PROCESSING')") == 0);
        clock.reset();
        for (String table : TABLES) {
            jdbc.update("DELETE FROM " + table);
        }
    }

    protected long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    protected String eventStatus(String id) {
        return jdbc.queryForList("SELECT status FROM event_log WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
    }

    protected void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(15)).until(() -> status.equals(eventStatus(id)));
    }

    protected HttpResponse<String> admin(String method, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, method.equals("GET") || method.equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
                .header("content-type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a JSON body with the admin token. */
    protected HttpResponse<String> adminPost(String path, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected JsonNode adminJson(String method, String path) {
        HttpResponse<String> response = admin(method, path, ADMIN_TOKEN);
        try {
            return json.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    protected JsonNode jsonOf(HttpResponse<String> response) {
        try {
            return json.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }
}
