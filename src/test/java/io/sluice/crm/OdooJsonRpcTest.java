package io.sluice.crm;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.support.Crms;
import io.sluice.support.SluiceTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** The Odoo connector over JSON-RPC {@code execute_kw} (Odoo 18 and older; research crm.md §D.1). */
@TestPropertySource(properties = {"sluice.crm.provider=odoo", "sluice.crm.odoo.api=jsonrpc", "sluice.crm.odoo.api-key=rpc-key-0123",
        "sluice.crm.odoo.db=acme", "sluice.crm.odoo.username=bot@acme.com", "sluice.crm.odoo.max-requests=1000", "sluice.crm.odoo.per=1s"})
class OdooJsonRpcTest extends SluiceTestBase {

    private static final WireMockServer ODOO = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        ODOO.start();
    }

    @DynamicPropertySource
    static void odoo(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.odoo.url", ODOO::baseUrl);
    }

    @BeforeEach
    void odooAnswers() {
        ODOO.resetAll();
        jdbc.update("DELETE FROM crm_write_version");
        rpc("$.params.service", "common", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":2}");
        rpc("$.params.args[4]", "search_read", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}");
        rpc("$.params.args[4]", "create", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[42]}");
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).atPriority(1).withRequestBody(matchingJsonPath("$.params.args[3]", containing("crm.stage")))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"id\":4,\"name\":\"Won\"},{\"id\":1,\"name\":\"New\"}]}")));
    }

    private static void rpc(String path, String value, String answer) {
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).withRequestBody(matchingJsonPath(path, containing(value))).willReturn(okJson(answer)));
    }

    @Test
    void callsExecuteKwWithTheUidFromAuthenticate() {
        awaitStatus(Crms.sendMembership(port, "msg_rpc_1", 1, "active", false, "2026-01-20T14:03:11.000Z"), "DONE");

        // the uid is asked once per process (an earlier test may have asked already)
        ODOO.verify(com.github.tomakehurst.wiremock.client.WireMock.lessThanOrExactly(1), postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(equalToJson(
                "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"common\",\"method\":\"authenticate\","
                        + "\"args\":[\"acme\",\"bot@acme.com\",\"rpc-key-0123\",{}]},\"id\":1}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(equalToJson(
                "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"object\",\"method\":\"execute_kw\","
                        + "\"args\":[\"acme\",2,\"rpc-key-0123\",\"res.partner\",\"search_read\",[[[\"email\",\"=ilike\",\"person1@example.com\"]]],"
                        + "{\"fields\":[\"id\"],\"limit\":1,\"context\":{\"active_test\":false}}]},\"id\":1}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(matchingJsonPath("$.params.args[3]", containing("crm.lead")))
                .withRequestBody(matchingJsonPath("$.params.args[4]", containing("create")))
                .withRequestBody(matchingJsonPath("$.params.args[5][0][0].stage_id", containing("4"))));
    }

    @Test
    void aStageOdooLacksDeadLettersNamingTheStagesThereAre() {
        awaitStatus(Crms.sendMembership(port, "msg_rpc_stage", 3, "trialing", false, "2026-01-20T14:03:11.000Z"), "DEAD");

        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("no CRM stage 'Qualified'").contains("[won, new]");
    }

    @Test
    void anAccessErrorInsideA200AnswerDeadLettersTheEvent() {
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).atPriority(1).withRequestBody(matchingJsonPath("$.params.args[3]", containing("res.partner")))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":200,\"message\":\"Odoo Server Error\",\"data\":"
                        + "{\"name\":\"odoo.exceptions.AccessError\",\"message\":\"You are not allowed to access 'Contact' (res.partner) records.\"}}}")));

        awaitStatus(Crms.sendMembership(port, "msg_rpc_403", 1, "active", false, "2026-01-20T14:03:11.000Z"), "DEAD");

        assertThat(adminJson("GET", "/api/dead-letters").path("items").get(0).path("error").asText())
                .contains("odoo.exceptions.AccessError").contains("not allowed to access").doesNotContain("rpc-key-0123");
    }
}
