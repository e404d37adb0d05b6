package io.sluice.routes;

import io.sluice.support.SluiceTestBase;
import org.apache.camel.CamelContext;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.component.timer.TimerEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes name settings without defaults: Camel gets them from the bound records, durations in milliseconds. */
class RoutePlaceholdersTest extends SluiceTestBase {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(sluice\\.[^}:]+)}}");

    @Autowired
    CamelContext camelContext;

    @DynamicPropertySource
    static void aDurationInSpringsForm(DynamicPropertyRegistry registry) {
        registry.add("sluice.whop.poll.check-interval", () -> "45s");
    }

    @Test
    void everyPlaceholderOfTheShippedRoutesResolves() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Matcher placeholders = PLACEHOLDER.matcher(Files.readString(file));
                while (placeholders.find()) {
                    assertThat(camelContext.resolvePropertyPlaceholders(placeholders.group()))
                            .as(file + ": " + placeholders.group()).isNotBlank().doesNotContain("{{");
                }
            }
        }
    }

    @Test
    void theBoundValueWinsOverTheEnvironmentsSpelling() {
        // 45s in the environment; Camel's timer takes milliseconds
        assertThat(camelContext.resolvePropertyPlaceholders("{{sluice.whop.poll.check-interval}}")).isEqualTo("45000");
        assertThat(((TimerEndpoint) ((MasterEndpoint) camelContext.getRoute("whop-poll").getEndpoint()).getEndpoint()).getPeriod())
                .isEqualTo(45_000);
        assertThat(camelContext.resolvePropertyPlaceholders("{{sluice.inbox.poll-interval}}")).isEqualTo("50");
        // set nowhere: the record's default
        assertThat(camelContext.resolvePropertyPlaceholders("{{sluice.inbox.consumers}}")).isEqualTo("4");
        assertThat(camelContext.resolvePropertyPlaceholders("{{sluice.crm.batch-consumers}}")).isEqualTo("2");
    }
}
