package io.sluice.routes;

import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Operators edit routes/ while Sluice runs: good edits go live, bad ones are reported and the old routes keep running. */
class RouteReloadTest extends SluiceTestBase {

    private static final Path ROUTES = copyOfRoutes();

    @Autowired
    CamelContext camelContext;

    @DynamicPropertySource
    static void routesFromACopy(DynamicPropertyRegistry registry) {
        registry.add("sluice.routes.dir", ROUTES::toString);
        registry.add("sluice.routes.reload", () -> "true");
        registry.add("sluice.routes.reload-interval", () -> "100ms");
    }

    @AfterAll
    static void removeCopy() throws IOException {
        FileSystemUtils.deleteRecursively(ROUTES);
    }

    @Test
    void editedRouteGoesLiveAndABrokenEditKeepsThePreviousRoutesRunning() throws IOException {
        Path file = ROUTES.resolve("dead-letter.camel.yaml");
        String original = Files.readString(file, StandardCharsets.UTF_8);

        Files.writeString(file, original.replace("Keep an event that failed every retry as a replayable dead letter",
                "Keep failed events for replay (edited)"), StandardCharsets.UTF_8);
        // the reloaded route is added, then started
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                "Keep failed events for replay (edited)".equals(camelContext.getRoute("dead-letter").getDescription())
                        && camelContext.getRouteController().getRouteStatus("dead-letter") == ServiceStatus.Started);

        Files.writeString(file, original.replace("    description: Keep an event that failed every retry as a replayable dead letter\n", ""),
                StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                adminJson("GET", "/api/status").path("routes").path("reloadProblem").asText().contains("has no 'description'"));
        assertThat(adminJson("GET", "/api/status").path("routes").path("reloadProblem").asText()).contains("dead-letter.camel.yaml:2");
        assertThat(camelContext.getRoute("dead-letter").getDescription()).isEqualTo("Keep failed events for replay (edited)");
        assertThat(camelContext.getRouteController().getRouteStatus("dead-letter")).isEqualTo(ServiceStatus.Started);

        Files.writeString(file, original + "\n- route: [this is not\n", StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                adminJson("GET", "/api/status").path("routes").path("reloadProblem").asText().contains("not valid YAML"));
        assertThat(camelContext.getRouteController().getRouteStatus("dead-letter")).isEqualTo(ServiceStatus.Started);

        Files.writeString(file, original, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                "Keep an event that failed every retry as a replayable dead letter".equals(camelContext.getRoute("dead-letter").getDescription()));
    }

    @Test
    void anEditThatBreaksExactlyOnceIsRefusedAndAnEditSpreadOverTwoFilesGoesLiveTogether() throws IOException {
        Path events = ROUTES.resolve("process-events.camel.yaml");
        String original = Files.readString(events, StandardCharsets.UTF_8);
        String description = "Apply one stored event to the CRM exactly once, by event type";
        String complete = """
                        - bean:
                            ref: eventProcessor
                            method: complete
                """;
        assertThat(original).contains(description).contains(complete);

        // an eager key would be remembered before the CRM is written: refused, the running route stays as it was
        Files.writeString(events, original.replace(description, description + " (eager)").replace("eager: false", "eager: true"),
                StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                adminJson("GET", "/api/status").path("routes").path("reloadProblem").asText().contains("must say eager: false"));
        assertThat(camelContext.getRoute("process-event").getDescription()).isEqualTo(description);

        // a new step that sends to a new route in a new file: whichever file the scan sees first, both go live together
        Files.writeString(events, original.replace(description, description + " (audited)")
                .replace(complete, "        - to:\n            uri: direct:audit\n" + complete), StandardCharsets.UTF_8);
        Files.writeString(ROUTES.resolve("zz-audit.camel.yaml"), """
                - route:
                    id: audit
                    description: Log every processed event
                    errorHandler:
                      noErrorHandler: {}
                    from:
                      uri: direct:audit
                      steps:
                        - log: "audited ${header.SluiceEventId}"
                """, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                (description + " (audited)").equals(camelContext.getRoute("process-event").getDescription())
                        && camelContext.getRoute("audit") != null
                        && adminJson("GET", "/api/status").path("routes").path("reloadProblem").isNull());

        Files.delete(ROUTES.resolve("zz-audit.camel.yaml"));
        Files.writeString(events, original, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                description.equals(camelContext.getRoute("process-event").getDescription()));
    }

    @Test
    void anEditedTemplateRemakesEveryRouteMadeFromItAndAnEditedTemplatedRouteIsMadeAgain() throws IOException {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        Path template = ROUTES.resolve("_templates/webhook-ingress.camel.yaml");
        String originalTemplate = Files.readString(template, StandardCharsets.UTF_8);
        Path whop = ROUTES.resolve("whop-webhook.camel.yaml");
        String originalWhop = Files.readString(whop, StandardCharsets.UTF_8);
        String description = "Verify, store durably and acknowledge Whop webhooks";
        assertThat(camelContext.getRoute("whop-webhook").getDescription()).isEqualTo(description);
        String step = "          - setProperty:\n              name: SluiceSource\n";
        assertThat(originalTemplate).contains(step);

        // a step added to the template reaches both routes made from it, though the files of their templated routes did not change
        Files.writeString(template, originalTemplate.replace(step,
                "          - setProperty:\n              name: SluiceIngressPath\n              constant: \"{{path}}\"\n" + step),
                StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                Stream.of("whop-webhook", "esign-callback").allMatch(id -> setsIngressPath(model.getRouteDefinition(id))
                        && camelContext.getRouteController().getRouteStatus(id) == ServiceStatus.Started)
                        && adminJson("GET", "/api/status").path("routes").path("reloadProblem").isNull());
        assertThat(model.getRouteTemplateDefinitions()).filteredOn(t -> "webhook-ingress".equals(t.getId())).hasSize(1);
        assertThat(camelContext.getRoute("whop-webhook").getDescription()).isEqualTo(description);
        byte[] body = Webhooks.membershipBody("msg_reload", "mem_reload", "reload@example.com", "R", "active", false,
                "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_reload", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);

        // a templated route edited on its own is made again from the template (Camel's updateRoutes would leave it)
        Files.writeString(whop, originalWhop.replace("value: " + description, "value: Whop webhooks (edited)"), StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                "Whop webhooks (edited)".equals(camelContext.getRoute("whop-webhook").getDescription())
                        && camelContext.getRouteController().getRouteStatus("whop-webhook") == ServiceStatus.Started);

        // a parser that does not exist passes the checks but cannot start: the route of the version that ran comes back
        Files.writeString(whop, originalWhop.replace("value: " + description, "value: Whop webhooks (edited)")
                .replace("value: whopEventParser", "value: noSuchParser"), StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                adminJson("GET", "/api/status").path("routes").path("reloadProblem").asText().contains("noSuchParser"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                camelContext.getRouteController().getRouteStatus("whop-webhook") == ServiceStatus.Started);
        assertThat(camelContext.getRoute("whop-webhook").getDescription()).isEqualTo("Whop webhooks (edited)");
        assertThat(Webhooks.sendSigned(port, "msg_reload2", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);

        Files.writeString(template, originalTemplate, StandardCharsets.UTF_8);
        Files.writeString(whop, originalWhop, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                description.equals(camelContext.getRoute("whop-webhook").getDescription())
                        && !setsIngressPath(model.getRouteDefinition("esign-callback"))
                        && camelContext.getRouteController().getRouteStatus("esign-callback") == ServiceStatus.Started);
    }

    @Autowired
    io.sluice.webhook.IngressRestarts ingress;

    @Test
    void whileRoutesAreReplacedASenderIsToldToComeBackAndNothingIsStored() throws Exception {
        byte[] body = Webhooks.membershipBody("msg_during_reload", "mem_dr", "dr@example.com", "D", "active", false,
                "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);

        var during = ingress.during(() -> Webhooks.sendSigned(port, "msg_during_reload", clock.instant().getEpochSecond(), body));
        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(during.headers().firstValue("Retry-After")).contains("1");
        assertThat(during.body()).contains("reloading its routes");
        assertThat(eventStatus("msg_during_reload")).isNull();

        assertThat(Webhooks.sendSigned(port, "msg_during_reload", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
    }

    @Test
    void webhooksArrivingWhileTheIngressIsRemadeAreAcceptedOrToldToComeBackNeverRefusedOrLost() throws Exception {
        Path whop = ROUTES.resolve("whop-webhook.camel.yaml");
        String original = Files.readString(whop, StandardCharsets.UTF_8);
        String description = "Verify, store durably and acknowledge Whop webhooks";
        java.util.concurrent.ConcurrentHashMap<String, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Set<String> comeBackWithoutRetryAfter = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            senders.submit(() -> {
                while (sending.get()) {
                    String id = "msg_overlap_" + next.getAndIncrement();
                    byte[] body = Webhooks.membershipBody(id, "mem_" + id, id + "@example.com", "O", "active", false,
                            "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
                    var answer = Webhooks.sendSigned(port, id, clock.instant().getEpochSecond(), body);
                    answers.put(id, answer.statusCode());
                    if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isEmpty()) {
                        comeBackWithoutRetryAfter.add(id);
                    }
                }
                return null;
            });
        }
        try {
            // the ingress route is made again three times while the senders keep going
            for (int edit = 1; edit <= 3; edit++) {
                String edited = description + " (edit " + edit + ")";
                Files.writeString(whop, original.replace("value: " + description, "value: " + edited), StandardCharsets.UTF_8);
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                        edited.equals(camelContext.getRoute("whop-webhook").getDescription())
                                && camelContext.getRouteController().getRouteStatus("whop-webhook") == ServiceStatus.Started);
            }
        } finally {
            sending.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Files.writeString(whop, original, StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                    description.equals(camelContext.getRoute("whop-webhook").getDescription()));
        }

        assertThat(answers).as("webhooks sent during the edits").hasSizeGreaterThan(20);
        assertThat(answers.values()).as("every answer: accepted, or come back (503)").allMatch(status -> status == 202 || status == 503);
        assertThat(comeBackWithoutRetryAfter).as("503s without Retry-After").isEmpty();
        answers.forEach((id, status) -> assertThat(eventStatus(id) != null).as("%s answered %d: stored", id, status).isEqualTo(status == 202));
    }

    private static boolean setsIngressPath(RouteDefinition route) {
        return route.getOutputs().stream().anyMatch(step -> step instanceof SetPropertyDefinition property
                && "SluiceIngressPath".equals(property.getName()));
    }

    private static Path copyOfRoutes() {
        try {
            Path dir = Files.createTempDirectory("sluice-routes");
            FileSystemUtils.copyRecursively(Path.of("routes"), dir);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
