package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The alert rules of k8s/monitoring: valid for Prometheus, each one tested, and one copy for the Operator. */
class PrometheusRulesTest {

    @Test
    void promtoolAcceptsTheRules() {
        assertThat(Tool.PROMTOOL.succeed(MonitoringFiles.DIR, "check", "rules", MonitoringFiles.RULES.getFileName().toString()))
                .contains("SUCCESS");
    }

    @Test
    void theUnitTestsOfTheRulesPass() {
        assertThat(Tool.PROMTOOL.succeed(MonitoringFiles.DIR, "test", "rules", MonitoringFiles.RULE_TESTS.getFileName().toString()))
                .contains("SUCCESS");
    }

    @Test
    void everyAlertHasATestCaseInWhichItFires() {
        Set<String> firing = new HashSet<>();
        for (JsonNode test : MonitoringFiles.yaml(MonitoringFiles.RULE_TESTS).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    firing.add(check.path("alertname").asText());
                }
            }
        }
        Set<String> alerts = new HashSet<>();
        for (JsonNode group : MonitoringFiles.yaml(MonitoringFiles.RULES).path("groups")) {
            group.path("rules").forEach(rule -> {
                if (rule.has("alert")) {
                    alerts.add(rule.path("alert").asText());
                }
            });
        }
        assertThat(alerts).containsExactlyInAnyOrder("SluiceWhopSyncFailing", "SluiceDeadLetters", "SluiceWebhookSlow",
                "SluiceBacklogGrowing", "SluiceOldestEventTooOld", "SluiceCircuitBreakerOpen", "SluiceAiBudgetSpent",
                "SluiceNoPullsLeader", "SluiceNotScraped", "SluiceKafkaBacklogGrowing");
        assertThat(firing).as("alerts with a test case in which they fire").containsAll(alerts);
    }

    @Test
    void thePrometheusRuleCarriesExactlyTheGroupsOfTheRuleFile() {
        JsonNode operatorCopy = MonitoringFiles.yaml(MonitoringFiles.PROMETHEUS_RULE);
        assertThat(operatorCopy.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(operatorCopy.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(operatorCopy.path("spec").path("groups")).isEqualTo(MonitoringFiles.yaml(MonitoringFiles.RULES).path("groups"));
    }

    @Test
    void everyRuleReadsAMetricAndTheReadingSkipsFunctionsLabelsAndKeywords() {
        MonitoringFiles.rules().forEach((name, expr) -> assertThat(PromQl.metricNames(expr)).as(name).isNotEmpty());
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (routeId, le) (rate(a_bucket{routeId=~\"x|y\"}[5m]))) > 2"
                + " and max(b) >= bool max(c offset 5m) unless on (pod) d"))
                .containsExactlyInAnyOrder("a_bucket", "b", "c", "d");
    }
}
