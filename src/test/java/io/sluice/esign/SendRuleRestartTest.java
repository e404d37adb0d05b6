package io.sluice.esign;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.SluiceApplication;
import io.sluice.support.Crms;
import io.sluice.support.TestRsaKeys;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A send rule's contract survives a stop: requested before it (held by the esign kill switch), sent once after the
 * restart, and the membership's activation coming back after the restart asks for no second one.
 */
class SendRuleRestartTest {

    private static final WireMockServer DOCUSIGN = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private static final String ENVELOPES = "/restapi/v2.1/accounts/" + DocuSignContractsTest.ACCOUNT + "/envelopes";

    static {
        DOCUSIGN.start();
    }

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        DOCUSIGN.stop();
    }

    @Test
    void aRuleContractIsSentOnceAcrossARestart() {
        DOCUSIGN.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson("{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        DOCUSIGN.stubFor(post(urlPathEqualTo(ENVELOPES)).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"envelopeId\":\"env-restart-1\",\"status\":\"sent\"}")));
        Path key = TestRsaKeys.writePkcs1(TestRsaKeys.generate(), dir.resolve("docusign.pem"));
        String[] common = {"server.port=0", "sluice.data-dir=" + dir, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=restart-test-token", "sluice.routes.reload=false", "sluice.inbox.poll-interval=50",
                "sluice.ai.enrich-on=", "sluice.esign.provider=docusign",
                "sluice.esign.docusign.base-url=" + DOCUSIGN.baseUrl() + "/restapi",
                "sluice.esign.docusign.oauth-base-url=" + DOCUSIGN.baseUrl(),
                "sluice.esign.docusign.integration-key=ik", "sluice.esign.docusign.user-id=" + DocuSignContractsTest.USER,
                "sluice.esign.docusign.account-id=" + DocuSignContractsTest.ACCOUNT, "sluice.esign.docusign.private-key-file=" + key,
                "sluice.esign.docusign.connect-hmac-keys=" + DocuSignContractsTest.CONNECT_KEY,
                "sluice.esign.rules[0].name=onboarding", "sluice.esign.rules[0].products=prod_H7j8K9l0Z1x2C3",
                "sluice.esign.rules[0].template=tpl-onboarding", "sluice.esign.rules[0].customer-role=Customer"};
        String contractId;
        try (ConfigurableApplicationContext first = start(common)) {
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            jdbc.update("INSERT INTO pause (target, reason, paused_at) VALUES ('esign', 'test', CURRENT_TIMESTAMP)");
            int port = port(first);
            Crms.sendMembership(port, "msg_restart_rule", 21, "active", false, "2026-01-20T14:03:11.000Z");
            await().atMost(Duration.ofSeconds(15)).until(() -> "DONE".equals(status(jdbc, "msg_restart_rule")));
            contractId = jdbc.queryForObject("SELECT id FROM contract WHERE once_key = 'rule:onboarding:mem_t21'", String.class);
            assertThat(status(jdbc, "esign-send:" + contractId)).isEqualTo("RECEIVED");
        }
        DOCUSIGN.verify(exactly(0), postRequestedFor(urlPathEqualTo(ENVELOPES)));

        try (ConfigurableApplicationContext second = start(common)) {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            int port = port(second);
            // the activation comes back after the restart, redelivered under a new id and once more as a new change
            Crms.sendMembership(port, "msg_restart_rule_again", 21, "active", false, "2026-01-20T14:03:11.000Z");
            Crms.sendMembership(port, "msg_restart_rule_later", 21, "active", false, "2026-01-21T00:00:00.000Z");
            await().atMost(Duration.ofSeconds(15)).until(() -> "DONE".equals(status(jdbc, "msg_restart_rule_later")));
            jdbc.update("DELETE FROM pause WHERE target = 'esign'");
            await().atMost(Duration.ofSeconds(15)).until(() -> "DONE".equals(status(jdbc, "esign-send:" + contractId)));
            assertThat(jdbc.queryForObject("SELECT status FROM contract WHERE id = ?", String.class, contractId)).isEqualTo("SENT");
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM contract", Long.class)).isEqualTo(1);
        }
        DOCUSIGN.verify(exactly(1), postRequestedFor(urlPathEqualTo(ENVELOPES)));
    }

    private static String status(JdbcTemplate jdbc, String id) {
        return jdbc.queryForList("SELECT status FROM event_log WHERE id = ?", String.class, id).stream().findFirst().orElse(null);
    }

    private ConfigurableApplicationContext start(String[] common) {
        // command-line arguments, so they win over application.yaml as an operator's would
        return new SpringApplicationBuilder(SluiceApplication.class).run(Stream.of(common).map(p -> "--" + p).toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
