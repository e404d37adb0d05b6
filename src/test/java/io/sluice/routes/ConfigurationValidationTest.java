package io.sluice.routes;

import io.sluice.SluiceApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.util.FileSystemUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Invalid routes or mappings are reported with file, line and reason: by --validate, and by refusing to start. */
class ConfigurationValidationTest {

    @TempDir
    Path dir;

    @Test
    void shippedRoutesAndMappingsAreValid() {
        assertThat(ConfigurationValidator.validateRoutes(Path.of("routes"))).isEmpty();
        assertThat(ConfigurationValidator.validateMapping(Path.of("mappings"), "local")).isEmpty();
        assertThat(ConfigurationValidator.runStandalone(new String[]{"--validate"})).isZero();
    }

    @Test
    void aSettingThatCannotBeReadIsNamedAndFailsTheCheck() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = ConfigurationValidator.runStandalone(new String[]{"--validate", "--sluice.routes.reload-interval=abc"});
        } finally {
            System.setErr(previous);
        }
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("sluice.routes").contains("abc");
    }

    @Test
    void validateReportsEveryProblemWithFileAndLineAndFails() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("no-id.camel.yaml"), """
                - route:
                    description: a route without an id
                    from:
                      uri: timer:x
                      steps:
                        - log: hi
                """);
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        Files.writeString(mappings.resolve("local.yaml"), """
                provider: local
                events:
                  membership:
                    types: [membership.activated]
                    opportunity:
                      membershipId: data.id
                      stage: { path: data, transform: [membershipStage], valueMap: stages }
                      colour: data.colour
                """);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = ConfigurationValidator.runStandalone(new String[]{"--validate", "--sluice.routes.dir=" + routes,
                    "--sluice.mappings.dir=" + mappings});
        } finally {
            System.setErr(previous);
        }

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no-id.camel.yaml:2: route has no 'id'")
                .contains("local.yaml:7: value map 'stages' is not defined")
                .contains("local.yaml:8: unknown opportunity field 'colour'");
    }

    @Test
    void aPlaceholderNamingNoSettingIsReportedWithItsLine() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Path inboxPoll = routes.resolve("inbox-poll.camel.yaml");
        Files.writeString(inboxPoll, Files.readString(inboxPoll).replace("{{sluice.inbox.poll-interval}}", "{{sluice.inbox.poll-intervall}}"));

        assertThat(ConfigurationValidator.validateRoutes(routes)).singleElement().asString()
                .contains("inbox-poll.camel.yaml:12: {{sluice.inbox.poll-intervall}} names no setting");

        // a setting without a default may be unset, and the route would not start: optional, or a default of its own
        Files.writeString(inboxPoll, Files.readString(inboxPoll).replace("{{sluice.inbox.poll-intervall}}", "{{sluice.whop.company-id}}"));
        assertThat(ConfigurationValidator.validateRoutes(routes)).singleElement().asString()
                .contains("{{sluice.whop.company-id}} names a setting that has no default and may be unset");
        Files.writeString(inboxPoll, Files.readString(inboxPoll).replace("{{sluice.whop.company-id}}", "{{sluice.whop.company-id:200}}"));
        assertThat(ConfigurationValidator.validateRoutes(routes)).isEmpty();

        // a setting with a default of its own always answers: a file's default for it would silently never apply
        Files.writeString(inboxPoll, Files.readString(inboxPoll).replace("{{sluice.whop.company-id:200}}", "{{sluice.inbox.poll-interval:5000}}"));
        assertThat(ConfigurationValidator.validateRoutes(routes)).singleElement().asString()
                .contains("{{sluice.inbox.poll-interval:5000}} gives a default to a setting that has its own");
    }

    @Test
    void startupStopsOnAnInvalidRouteFileNamingIt() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Files.writeString(routes.resolve("broken.camel.yaml"), "- route:\n    id: broken\n    from: [\n");

        assertThatThrownBy(() -> new SpringApplicationBuilder(SluiceApplication.class)
                .run("--server.port=0", "--sluice.routes.dir=" + routes, "--sluice.data-dir=" + dir.resolve("data"),
                        "--spring.datasource.url=jdbc:h2:mem:startup-check;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE")
                .close())
                .rootCause().hasMessageContaining("broken.camel.yaml").hasMessageContaining("not valid YAML");
    }
    @Test
    void theRoutesMadeFromTheIngressTemplateAreCheckedAsTheRoutesTheyAre() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Path whop = routes.resolve("whop-webhook.camel.yaml");
        String shippedWhop = Files.readString(whop);
        Path template = routes.resolve("_templates/webhook-ingress.camel.yaml");
        String shippedTemplate = Files.readString(template);

        // a parameter's value is what the contract reads: a CRM write from ingress is refused like one written out
        Files.writeString(whop, shippedWhop.replace("value: whopEventParser", "value: eventProcessor")
                + "      - name: parseMethod\n        value: write\n");
        // a step of the template is a step of both its routes
        Files.writeString(template, shippedTemplate.replace("- bean:\n                    ref: inboxWake\n                    method: wake",
                "- to:\n                    uri: seda:inbox-wakeup"));
        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("route whop-webhook calls eventProcessor.write"))
                .anySatisfy(p -> assertThat(p).contains("seda:inbox-wakeup is sent to but no route reads it"));

        // a verifier that checks nothing: what anyone posts would be stored
        Files.writeString(template, shippedTemplate);
        Files.writeString(whop, shippedWhop.replace("value: whopSignatureVerifier", "value: whopEventParser")
                + "      - name: verifyMethod\n        value: parse\n");
        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("route whop-webhook stores what platform-http:/webhooks/whop receives without "
                        + "checking its signature first"));
        Files.writeString(whop, shippedWhop);
        assertThat(ConfigurationValidator.validateRoutes(routes)).noneSatisfy(p -> assertThat(p).contains("signature"));

        // a misspelt parameter, a required one left out, a template that does not exist, a templated route without an id
        Files.writeString(template, shippedTemplate);
        Files.writeString(whop, shippedWhop.replace("name: parser", "name: parsr"));
        Files.writeString(routes.resolve("zz-more-ingress.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: webhook-ingres
                    routeId: other-webhook
                - templatedRoute:
                    routeTemplateRef: webhook-ingress
                """);
        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("zz-more-ingress.camel.yaml:5: templated route has no 'routeId'"));
        Files.writeString(routes.resolve("zz-more-ingress.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: webhook-ingres
                    routeId: other-webhook
                """);
        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("templated route whop-webhook gives the parameter 'parsr', which route"
                        + " template webhook-ingress does not declare"))
                .anySatisfy(p -> assertThat(p).contains("templated route whop-webhook").contains("mandatory parameters")
                        .contains("parser"))
                .anySatisfy(p -> assertThat(p).contains("templated route other-webhook names route template 'webhook-ingres',"
                        + " which no file in routes/ defines"));

        // a template parameter without a description
        Files.delete(routes.resolve("zz-more-ingress.camel.yaml"));
        Files.writeString(whop, shippedWhop);
        Files.writeString(template, shippedTemplate.replace("        description: The parser's method\n", ""));
        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("webhook-ingress.camel.yaml:").contains("parameter 'parseMethod' of the"
                        + " route template has no 'description'"));

        Files.writeString(template, shippedTemplate);
        assertThat(ConfigurationValidator.validateRoutes(routes)).isEmpty();
    }

    @Test
    void aRouteSetThatBreaksWhatThePipelineReliesOnIsRefusedNamingWhy() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        Path processEvents = routes.resolve("process-events.camel.yaml");
        String shipped = Files.readString(processEvents);

        // an eager key is remembered before the CRM write; a missing complete leaves every event to be claimed again
        Files.writeString(processEvents, shipped.replace("eager: false", "eager: true")
                .replace("""
                        - bean:
                            ref: eventProcessor
                            method: complete
                """, ""));
        Files.delete(routes.resolve("dead-letter.camel.yaml"));

        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("process-event").contains("eager: false"))
                .anySatisfy(p -> assertThat(p).contains("must call eventProcessor.complete after its idempotentConsumer"))
                .anySatisfy(p -> assertThat(p).contains("direct:dead-letter is sent to but no route reads it"));

        // the CRM write moved out of the idempotent consumer, and an error configuration that does not exist
        Files.writeString(processEvents, shipped
                .replace("""
                        - bean:
                            ref: eventProcessor
                            method: complete
                """, """
                        - to:
                            uri: direct:crm-upsert
                        - bean:
                            ref: eventProcessor
                            method: complete
                """).replace("routeConfigurationId: event-errors", "routeConfigurationId: event-errorz"));
        FileSystemUtils.copyRecursively(Path.of("routes/dead-letter.camel.yaml"), routes.resolve("dead-letter.camel.yaml"));

        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("sends to direct:crm-upsert outside its idempotentConsumer"))
                .anySatisfy(p -> assertThat(p).contains("names route configuration 'event-errorz'"));

        // a write around the guard through a route of its own, and a CRM write route whose open breaker lets events pass
        Files.writeString(routes.resolve("process-events.camel.yaml"), shipped.replace("""
                        - bean:
                            ref: eventProcessor
                            method: complete
                """, """
                        - to:
                            uri: direct:write-again
                        - bean:
                            ref: eventProcessor
                            method: complete
                """));
        Files.writeString(routes.resolve("zz-write-again.camel.yaml"), """
                - route:
                    id: write-again
                    description: a detour around the idempotent consumer
                    errorHandler:
                      noErrorHandler: {}
                    from:
                      uri: direct:write-again
                      steps:
                        - to:
                            uri: direct:crm-upsert
                """);
        Path crmUpsert = routes.resolve("crm-upsert.camel.yaml");
        String shippedUpsert = Files.readString(crmUpsert);
        Files.writeString(crmUpsert, shippedUpsert.replace("throwExceptionWhenHalfOpenOrOpenState: true",
                "throwExceptionWhenHalfOpenOrOpenState: false"));

        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("sends to direct:write-again, which reaches direct:crm-upsert outside"))
                .anySatisfy(p -> assertThat(p).contains("throwExceptionWhenHalfOpenOrOpenState: true"));

        // a second reader of the single-event queue, duplicates let through, a fallback for the CRM, the schedule's
        // runs handed nowhere
        Files.writeString(routes.resolve("zz-write-again.camel.yaml"), """
                - route:
                    id: second-reader
                    description: takes some events past the guard
                    from:
                      uri: seda:process-event
                      steps:
                        - log: "taken"
                """);
        Files.writeString(processEvents, shipped.replace("removeOnFailure: false", "removeOnFailure: false\n            skipDuplicate: false"));
        Files.writeString(crmUpsert, shippedUpsert.replace("""
                            steps:
                              - bean:
                                  ref: eventProcessor
                                  method: write
                """, """
                            steps:
                              - bean:
                                  ref: eventProcessor
                                  method: write
                            onFallback:
                              steps:
                                - log: "the CRM is down"
                """));
        Path whopSync = routes.resolve("whop-sync.camel.yaml");
        String shippedSync = Files.readString(whopSync);
        Files.writeString(whopSync, shippedSync.replace("""
                        - split:
                            simple: "${body}"
                            steps:
                              - to:
                                  uri: seda:whop-sync
                """, ""));

        assertThat(ConfigurationValidator.validateRoutes(routes))
                .anySatisfy(p -> assertThat(p).contains("both read seda:process-event"))
                .anySatisfy(p -> assertThat(p).contains("must not say skipDuplicate: false"))
                .anySatisfy(p -> assertThat(p).contains("must have no onFallback"))
                .anySatisfy(p -> assertThat(p).contains("calls whopSyncScheduler.tick but does not send its runs"));

        Files.writeString(whopSync, shippedSync);
        Files.delete(routes.resolve("zz-write-again.camel.yaml"));
        Files.writeString(crmUpsert, shippedUpsert);
        Files.writeString(processEvents, shipped);
        assertThat(ConfigurationValidator.validateRoutes(routes)).isEmpty();
    }
}
