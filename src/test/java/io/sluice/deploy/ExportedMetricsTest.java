package io.sluice.deploy;

import io.sluice.support.WhopSyncTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules (k8s/monitoring/sluice-rules.yaml) and the Grafana dashboard name only metrics Sluice exports:
 * a running Sluice takes a webhook and fails a Whop pull, so the metrics of both are there, and its
 * {@code /actuator/prometheus} answer, scraped without credentials as Prometheus does, is compared with every
 * metric name the expressions read. The Kafka transport's metrics are exported only on it, where KafkaTransportTest
 * reads them.
 */
class ExportedMetricsTest extends WhopSyncTestBase {

    private static final Set<String> ON_KAFKA_ONLY = Set.of("sluice_kafka_backlog");

    @Test
    void everyMetricTheRulesAndTheDashboardReadIsScrapedFromARunningSluice() throws Exception {
        byte[] body = Webhooks.membershipBody("msg_metrics", "mem_metrics", "metrics@example.com", "M", "active", false,
                "2026-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8);
        assertThat(Webhooks.sendSigned(port, "msg_metrics", clock.instant().getEpochSecond(), body).statusCode()).isEqualTo(202);
        awaitStatus("msg_metrics", "DONE");
        WHOP.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(401)));
        awaitSync(startSync("full"), "FAILED");

        Set<String> exported = scrape();
        exported.addAll(ON_KAFKA_ONLY);

        Map<String, Set<String>> read = new TreeMap<>();
        for (var rule : MonitoringFiles.rules().entrySet()) {
            read.put("rule " + rule.getKey(), PromQl.metricNames(rule.getValue()));
        }
        for (var panel : MonitoringFiles.dashboardQueries().entrySet()) {
            read.put("dashboard " + panel.getKey(), PromQl.metricNames(panel.getValue()));
        }
        assertThat(read).isNotEmpty();
        Map<String, Set<String>> unknown = new TreeMap<>();
        read.forEach((where, names) -> {
            Set<String> missing = new TreeSet<>(names);
            missing.removeAll(exported);
            if (!missing.isEmpty()) {
                unknown.put(where, missing);
            }
        });
        assertThat(unknown).as("metrics read by rules or dashboard but not exported by Sluice").isEmpty();
    }

    /** The sample names of an unauthenticated scrape, histogram {@code _bucket}, {@code _count}, {@code _sum} included. */
    private Set<String> scrape() throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        Files.writeString(Path.of("target", "exported-metrics.prom"), answer.body());
        Set<String> names = new TreeSet<>();
        for (String line : answer.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
