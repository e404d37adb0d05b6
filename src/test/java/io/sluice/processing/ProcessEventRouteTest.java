package io.sluice.processing;

import io.sluice.ai.AiRateLimitedException;
import io.sluice.crm.CrmException;
import io.sluice.crm.CrmRateLimitedException;
import io.sluice.crm.CrmRejectedException;
import io.sluice.event.PipelineExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.apache.camel.builder.Builder.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code routes/process-events.camel.yaml} and its error configuration ({@code routes/_config/event-errors.camel.yaml})
 * in a bare Camel context: the beans they call are stand-ins and every {@code direct:} hop is a mock, so the test sees the
 * route's own decisions (which way each event type goes, what the idempotent consumer lets through, how each failure
 * is handled) and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one context for all: starting the routes is most of the time
class ProcessEventRouteTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final StandInEventProcessor events = new StandInEventProcessor();
    private final List<String> refusalsTriaged = new CopyOnWriteArrayList<>();
    private final MemoryIdempotentRepository processed = new MemoryIdempotentRepository();

    @BeforeAll
    void startTheRoutes() throws Exception {
        Properties settings = new Properties();
        settings.putAll(Map.of("sluice.inbox.consumers", "1", "sluice.crm.batch-consumers", "1",
                "sluice.processing.max-redeliveries", "2", "sluice.processing.redelivery-delay", "1",
                "sluice.processing.max-redelivery-delay", "5"));
        camel.getPropertiesComponent().setInitialProperties(settings);
        camel.getRegistry().bind("eventProcessor", events);
        camel.getRegistry().bind("activeMapping", new StandInMapping());
        camel.getRegistry().bind("processedEvents", processed);
        camel.getRegistry().bind("eventBatchProcessor", new StandInBatchProcessor());
        camel.getRegistry().bind("failedAttemptRecorder", (Processor) exchange -> { });
        camel.getRegistry().bind("crmRefusalTriage", (Processor) exchange -> refusalsTriaged.add(exchange.getMessage().getBody(String.class)));
        camel.getRegistry().bind("crmQuotaPause", (Processor) exchange -> { });
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/_config/event-errors.camel.yaml"),
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/process-events.camel.yaml"));
        // every other route is out of this test: their entry points become mocks
        AdviceWith.adviceWith(camel, "process-event", route -> route.mockEndpointsAndSkip("direct:*"));
        camel.start();
    }

    @BeforeEach
    void cleanSlate() {
        MockEndpoint.resetMocks(camel);
        processed.clear();
        events.mapped.clear();
        events.completed.clear();
        refusalsTriaged.clear();
    }

    @AfterAll
    void stop() {
        camel.stop();
    }

    @Test
    void eachEventTypeTakesItsOwnWayAndEveryEventIsCompleted() throws Exception {
        expect("direct:ai-enrich", 1);
        expect("direct:esign-send", 1);
        expect("direct:esign-callback-apply", 1);
        expect("direct:crm-upsert", 1);
        expect("direct:esign-send-rule", 5);
        expect("direct:ai-score-rule", 5);

        process("evt_score", "ai.score.requested", "k_score");
        process("evt_2", "esign.send.requested", "k2");
        process("evt_3", "esign.envelope.completed", "k3");
        process("evt_4", "membership.activated", "k4");
        process("evt_5", "membership.unknown_kind", "k5");

        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(events.mapped).as("only a mapped type is mapped").containsExactly("evt_4");
        assertThat(events.completed).containsExactlyInAnyOrder("evt_score", "evt_2", "evt_3", "evt_4", "evt_5");
    }

    @Test
    void aSecondEventWithTheSameChangeIsNotWrittenAgainButStillCompletesAndRunsTheRules() throws Exception {
        expect("direct:crm-upsert", 1);
        expect("direct:esign-send-rule", 2);
        expect("direct:ai-score-rule", 2);

        process("evt_webhook", "membership.activated", "mem_1:2026-01-20T14:03:11Z");
        process("evt_pulled", "membership.activated", "mem_1:2026-01-20T14:03:11Z");

        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(events.completed).containsExactly("evt_webhook", "evt_pulled");
    }

    @Test
    void aFailureWaitingCanHealIsRedeliveredThenWaitsAndItsChangeIsNotRememberedAsApplied() throws Exception {
        mock("direct:crm-upsert").whenExchangeReceived(1, fail(new CrmException("twenty answered HTTP 503", true, null)));
        mock("direct:crm-upsert").whenExchangeReceived(2, fail(new CrmException("twenty answered HTTP 503", true, null)));
        mock("direct:crm-upsert").whenExchangeReceived(3, fail(new CrmException("twenty answered HTTP 503", true, null)));
        expect("direct:crm-upsert", 3); // the first try and the two quick redeliveries
        expect("direct:event-retry-later", 1);
        expect("direct:dead-letter", 0);

        process("evt_crm_down", "membership.activated", "k_crm_down");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(mock("direct:event-retry-later").getExchanges().get(0).getMessage().getBody(String.class))
                .as("the original message waits, not what the route made of it").isEqualTo("evt_crm_down");

        // its next try (the inbox hands it over again) writes it: the failed try did not mark the change as applied
        MockEndpoint.resetMocks(camel);
        expect("direct:crm-upsert", 1);
        process("evt_crm_down", "membership.activated", "k_crm_down");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
    }

    @Test
    void aRateLimitWaitsAtOnceWithoutSpendingRedeliveries() throws Exception {
        mock("direct:crm-upsert").whenAnyExchangeReceived(fail(new CrmRateLimitedException("hubspot answered HTTP 429", Duration.ofSeconds(10))));
        expect("direct:crm-upsert", 1);
        expect("direct:event-retry-later", 1);

        process("evt_crm_429", "membership.activated", "k_crm_429");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
    }

    @Test
    void aModelsRateLimitWaitsAtOnceLikeACrms() throws Exception {
        mock("direct:ai-enrich").whenAnyExchangeReceived(fail(new AiRateLimitedException("openai answered HTTP 429", Duration.ofSeconds(7), true)));
        expect("direct:ai-enrich", 1);
        expect("direct:event-retry-later", 1);

        process("evt_model_429", "ai.score.requested", "k_model_429");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
    }

    @Test
    void anOpenBreakerUnderAnotherFailureWaitsAtOnce() throws Exception {
        var open = io.github.resilience4j.circuitbreaker.CallNotPermittedException.createCallNotPermittedException(
                io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("ai-openai"));
        mock("direct:ai-enrich").whenAnyExchangeReceived(fail(new io.sluice.ai.AiCallException("the AI circuit breaker is open", true,
                Duration.ofSeconds(30), open)));
        expect("direct:ai-enrich", 1);
        expect("direct:event-retry-later", 1);

        process("evt_breaker_open", "ai.score.requested", "k_breaker_open");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
    }

    @Test
    void aRefusalIsTriagedThenDeadLetteredWithoutRedelivery() throws Exception {
        mock("direct:crm-upsert").whenAnyExchangeReceived(fail(new CrmRejectedException("twenty refused person.upsert (HTTP 400)")));
        expect("direct:crm-upsert", 1);
        expect("direct:dead-letter", 1);
        expect("direct:event-retry-later", 0);

        process("evt_refused", "membership.activated", "k_refused");
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(refusalsTriaged).containsExactly("evt_refused");
        assertThat(events.completed).as("a dead letter is not completed as applied").isEmpty();
    }

    /** Sends one stored event the way the inbox does, and waits until process-event is done with it. */
    private void process(String id, String type, String idempotencyKey) {
        // this event's exchange: the done notice of an earlier one may still be on its way
        NotifyBuilder done = new NotifyBuilder(camel).fromRoute("process-event").filter(body().isEqualTo(id)).whenDone(1).create();
        camel.createProducerTemplate().sendBodyAndHeaders("seda:process-event", id,
                Map.of(PipelineExchange.EVENT_ID, id, PipelineExchange.EVENT_TYPE, type, PipelineExchange.IDEMPOTENCY_KEY, idempotencyKey));
        assertThat(done.matches(5, TimeUnit.SECONDS)).as("process-event finished " + id).isTrue();
    }

    private MockEndpoint mock(String uri) {
        return camel.getEndpoint("mock:" + uri, MockEndpoint.class);
    }

    private void expect(String uri, int count) {
        mock(uri).expectedMessageCount(count);
    }

    private static Processor fail(RuntimeException failure) {
        return exchange -> {
            throw failure;
        };
    }

    /** The calls process-event makes on {@code eventProcessor}: loading is already done (the headers are set). */
    public static final class StandInEventProcessor {
        final List<String> mapped = new CopyOnWriteArrayList<>();
        final List<String> completed = new CopyOnWriteArrayList<>();

        public void load(Exchange exchange) {
        }

        public void map(Exchange exchange) {
            mapped.add(exchange.getMessage().getBody(String.class));
        }

        public void complete(Exchange exchange) {
            completed.add(exchange.getMessage().getBody(String.class));
        }
    }

    /** A mapping that handles membership activations only. */
    public static final class StandInMapping {
        public boolean handles(String type) {
            return "membership.activated".equals(type);
        }
    }

    /** What the batch routes in the same file ask of {@code eventBatchProcessor}; no batch is sent here. */
    public static final class StandInBatchProcessor {
        public int batchSize() {
            return 10;
        }

        public long batchWaitMillis() {
            return 100;
        }

        public void apply(Exchange exchange) {
        }
    }
}
