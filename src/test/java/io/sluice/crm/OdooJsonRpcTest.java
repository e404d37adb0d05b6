package io.sluice.crm;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.support.Crms;
import io.sluice.support.OdooRecordings;
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

/**
 * The Odoo connector over JSON-RPC {@code execute_kw} (Odoo 18 and older, still served by 19), against answers
 * recorded from a real Odoo 19 ({@link OdooRecordings}).
 */
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
        rpc("$.params.service", "common", OdooRecordings.answer("jsonrpc-common-authenticate-ok"));
        rpc("$.params.args[4]", "search_read", OdooRecordings.answer("jsonrpc-execute_kw-res.partner-search_read"));
        rpc("$.params.args[4]", "create", OdooRecordings.answer("jsonrpc-execute_kw-res.partner-create"));
        rpc("$.params.args[4]", "fields_get", okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + fields() + "}"));
        stages(OdooRecordings.answer("jsonrpc-execute_kw-crm.stage-search_read"));
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private CrmPreflight preflight;

    private static String fields() {
        StringBuilder fields = new StringBuilder("{");
        java.util.stream.Stream.concat(OdooRecordings.PARTNER_FIELDS.stream(), OdooRecordings.LEAD_FIELDS.stream()).distinct()
                .forEach(f -> fields.append(fields.length() > 1 ? "," : "").append('"').append(f).append("\":{\"type\":\"char\"}"));
        return fields.append('}').toString();
    }

    private static void stages(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).atPriority(1).withRequestBody(matchingJsonPath("$.params.args[3]", containing("crm.stage")))
                .willReturn(answer));
    }

    private static void rpc(String path, String value, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).withRequestBody(matchingJsonPath(path, containing(value))).willReturn(answer));
    }

    @Test
    void callsExecuteKwWithTheUidFromAuthenticate() {
        awaitStatus(Crms.sendMembership(port, "msg_rpc_1", 1, "active", false, "2026-01-20T14:03:11.000Z"), "DONE");

        // the uid is asked by every check, then kept for the writes
        ODOO.verify(postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(equalToJson(
                "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"common\",\"method\":\"authenticate\","
                        + "\"args\":[\"acme\",\"bot@acme.com\",\"rpc-key-0123\",{}]},\"id\":1}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(equalToJson(
                "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"object\",\"method\":\"execute_kw\","
                        + "\"args\":[\"acme\",5,\"rpc-key-0123\",\"res.partner\",\"search_read\",[[[\"email\",\"=ilike\",\"person1@example.com\"]]],"
                        + "{\"fields\":[\"id\",\"email\"],\"limit\":20,\"context\":{\"active_test\":false}}]},\"id\":1}")));
        ODOO.verify(postRequestedFor(urlPathEqualTo("/jsonrpc")).withRequestBody(matchingJsonPath("$.params.args[3]", containing("crm.lead")))
                .withRequestBody(matchingJsonPath("$.params.args[4]", containing("create")))
                .withRequestBody(matchingJsonPath("$.params.args[5][0][0].stage_id", containing("4"))));
    }

    @Test
    void aStageOdooLacksIsNamedByTheCheckBeforeAnyEventIsWritten() {
        stages(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"id\":4,\"name\":\"Won\"},{\"id\":1,\"name\":\"New\"}]}"));

        CrmCheck check = preflight.runNow();

        assertThat(check.status()).isEqualTo(CrmCheck.Status.PROBLEM);
        assertThat(check.reason()).contains("[Proposition, Qualified]").contains("[won, new]");
    }

    @Test
    void aWrongDatabaseOrKeyIsNamedByTheCheck() {
        rpc("$.params.service", "common", OdooRecordings.answer("jsonrpc-common-authenticate-wrong-db"));
        assertThat(preflight.runNow().reason()).contains("ODOO_DB").contains("does not exist");
        rpc("$.params.service", "common", OdooRecordings.answer("jsonrpc-common-authenticate-wrong-key"));
        assertThat(preflight.runNow().reason()).contains("ODOO_API_KEY");
    }

    @Test
    void aRecordDeletedInOdooIsCreatedAgain() {
        awaitStatus(Crms.sendMembership(port, "msg_rpc_del_1", 1, "active", false, "2026-01-20T14:03:11.000Z"), "DONE");
        ODOO.stubFor(post(urlPathEqualTo("/jsonrpc")).atPriority(1).withRequestBody(matchingJsonPath("$.params.args[4]", containing("write")))
                .willReturn(OdooRecordings.answer("jsonrpc-error-missing-record-MissingError")));

        awaitStatus(Crms.sendMembership(port, "msg_rpc_del_2", 1, "canceled", false, "2026-01-21T14:03:11.000Z"), "DONE");

        assertThat(count("SELECT COUNT(*) FROM dead_letter")).isZero();
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
