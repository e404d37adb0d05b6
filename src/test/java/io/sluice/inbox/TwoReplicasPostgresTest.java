package io.sluice.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.sluice.support.SharedPostgres;
import io.sluice.support.SluiceProcess;
import io.sluice.support.TestFork;
import io.sluice.support.TwentyRecordings;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Sluice processes on one PostgreSQL database and one Twenty: the second starts while the first has its claims in
 * flight (Twenty is slow until the second is up, each write taking six leases). It must take none of them (a claim whose holder renews its lease is never taken), so every
 * person reaches Twenty exactly once and every event is applied once, by the first.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class TwoReplicasPostgresTest {

    private static final int EVENTS = 40;
    private static final String TOKEN = "replicas-test-token-0123456789";
    private static final String KEY = "twenty-replicas-key";
    private static final String SCHEMA = TestFork.schema("sluice_replicas");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer twenty = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .extensions(new TwentyRecordings.PeopleEcho()));

    @TempDir
    Path dir;

    @BeforeEach
    void slowTwentyAndAnEmptySchema() throws Exception {
        twenty.start();
        // a person write takes 12 s (well inside the 30 s response timeout) until the second replica is up: the first
        // holds its claims all that while
        peopleWritesTake(12_000);
        twenty.stubFor(post(urlPathEqualTo("/rest/batch/opportunities")).withQueryParam("upsert", equalTo("true"))
                .willReturn(TwentyRecordings.answer("batch-opportunities-upsert-create")));
        twenty.stubFor(get(urlPathEqualTo("/rest/people")).willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        twenty.stubFor(post(urlPathEqualTo("/metadata")).willReturn(TwentyRecordings.metadata(TwentyRecordings.preparedWorkspace(), Set.of())));
        SharedPostgres.dropSchema(SCHEMA);
    }

    @AfterEach
    void stopTwenty() {
        twenty.stop();
    }

    @Test
    void aReplicaStartedWhileAnotherHasWorkInFlightTakesNoneOfIt() throws Exception {
        try (SluiceProcess first = replica("a"); SluiceProcess second = replica("b")) {
            first.start();
            WhopSender whop = new WhopSender(first.port(), Duration.ofMillis(100), Duration.ofSeconds(2));
            for (int i = 0; i < EVENTS; i++) {
                String id = "msg_replica_" + i;
                assertThat(whop.deliver(id, WhopSender.activation(id, "mem_replica_" + i), Duration.ofSeconds(30))).isIn(200, 202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> status(first).path("queue").path("processing").asLong() > 0);

            second.start();
            long inFlightWhenSecondWasUp = status(second).path("queue").path("processing").asLong();
            peopleWritesTake(50);

            await().atMost(Duration.ofSeconds(90)).until(() -> {
                JsonNode queue = status(second).path("queue");
                return queue.path("pending").asLong() == 0 && queue.path("processing").asLong() == 0;
            });
            assertThat(inFlightWhenSecondWasUp).as("the first replica still had claims in flight").isPositive();
            assertThat(status(second).path("deadLetters").asLong()).isZero();
            for (int i = 0; i < EVENTS; i++) {
                assertThat(first.getJson("/api/events/msg_replica_" + i, TOKEN).path("status").asText()).as("msg_replica_" + i).isEqualTo("DONE");
            }
            Map<String, Long> writesPerPerson = peopleWritten();
            assertThat(writesPerPerson).as("people Twenty was asked to write").hasSize(EVENTS);
            assertThat(writesPerPerson.values()).as("each person written once").containsOnly(1L);
            assertThat(Files.readString(dir.resolve("b.log"))).as("the second replica took back nothing")
                    .doesNotContain("Requeued");
        }
    }

    private void peopleWritesTake(int millis) {
        twenty.stubFor(post(urlPathEqualTo("/rest/batch/people")).withQueryParam("upsert", equalTo("true"))
                .willReturn(aResponse().withFixedDelay(millis).withTransformers(TwentyRecordings.PeopleEcho.NAME)));
    }

    private SluiceProcess replica(String name) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        List<String> arguments = new ArrayList<>(List.of("sluice.data-dir=" + data, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=" + TOKEN, "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.inbox.consumers=2",
                // a lease far shorter than a write: without renewal the second would take the first's claims over
                "sluice.inbox.lease=2s", "sluice.ai.enrich-on=", "logging.level.io.sluice=WARN",
                "sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + KEY, "sluice.crm.twenty.base-url=" + twenty.baseUrl(),
                "sluice.crm.twenty.max-requests=1000", "sluice.crm.twenty.per=1s"));
        arguments.addAll(SharedPostgres.replicaSettings(SCHEMA));
        return new SluiceProcess(dir.resolve(name + ".log"), arguments);
    }

    /** How often Twenty was asked to write each person (by email), over every people upsert it answered. */
    private Map<String, Long> peopleWritten() throws Exception {
        List<String> emails = new ArrayList<>();
        for (ServeEvent served : twenty.getAllServeEvents()) {
            if (served.getRequest().getUrl().startsWith("/rest/batch/people")) {
                for (JsonNode person : JSON.readTree(served.getRequest().getBodyAsString())) {
                    emails.add(person.path("emails").path("primaryEmail").asText());
                }
            }
        }
        return emails.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static JsonNode status(SluiceProcess sluice) throws Exception {
        return sluice.getJson("/api/status", TOKEN);
    }

}
