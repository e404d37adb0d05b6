package io.sluice.webhook;

import io.sluice.support.RawHttp;
import io.sluice.support.SluiceTestBase;
import io.sluice.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile-input corpus against {@code /webhooks/whop}, the e-sign callbacks and the admin API: forged, stale and
 * missing signatures, invalid UTF-8, JSON nested 10,000 deep, 100 MB bodies, numbers out of range, SQL and HTML in
 * every string field, wrong content types, path traversal in ids, huge headers. Each gets its documented 4xx, never a
 * 5xx or a stack trace, and nothing is stored that should not be.
 */
class HostileInputTest extends SluiceTestBase {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String INJECTION = "Robert'); DROP TABLE crm_person; -- <script>alert(\"x\")</script> \\u0000 ${jndi:ldap://x}";

    @Test
    void forgedStaleAndMissingSignaturesAre401AndStoreNothing() {
        long now = Instant.now().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_h1", "mem_h1", "h1@example.com", "H", "active", false, "2026-01-01T00:00:00Z")
                .getBytes(StandardCharsets.UTF_8);
        String good = Webhooks.sign(Webhooks.SECRET, "msg_h1", now, body);
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("forged with another secret", headers("msg_h1", now, Webhooks.sign("ws_attacker", "msg_h1", now, body)));
        cases.put("signature of another id", headers("msg_h1", now, Webhooks.sign(Webhooks.SECRET, "msg_other", now, body)));
        cases.put("stale by 301 s", headers("msg_h1", now - 301, Webhooks.sign(Webhooks.SECRET, "msg_h1", now - 301, body)));
        // the exact edges are StandardWebhookVerifierTest's: here a loaded machine may take seconds to send the case
        cases.put("from the future by 330 s", headers("msg_h1", now + 330, Webhooks.sign(Webhooks.SECRET, "msg_h1", now + 330, body)));
        cases.put("timestamp out of range", headers("msg_h1", 0, good, "99999999999999999999999"));
        cases.put("timestamp not a number", headers("msg_h1", 0, good, "yesterday"));
        cases.put("signature not base64", headers("msg_h1", now, "v1,!!!not-base64!!!"));
        cases.put("signature empty v1", headers("msg_h1", now, "v1,"));
        cases.put("unknown version only", headers("msg_h1", now, "v2," + good.substring(3)));
        cases.put("500 signature entries", headers("msg_h1", now, "v1,AAAA ".repeat(500).trim()));
        Map<String, String> noId = new LinkedHashMap<>(headers("msg_h1", now, good));
        noId.remove("webhook-id");
        cases.put("missing webhook-id", noId);
        Map<String, String> noSignature = new LinkedHashMap<>(headers("msg_h1", now, good));
        noSignature.remove("webhook-signature");
        cases.put("missing webhook-signature", noSignature);

        for (var c : cases.entrySet()) {
            HttpResponse<String> response = Webhooks.send(port, c.getValue(), body, false);
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(401);
            assertClean(c.getKey(), response.body());
            assertThat(response.body()).as(c.getKey()).doesNotContain(good.substring(3));
        }
        assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();
        assertThat(Webhooks.send(port, headers("msg_h1", now, good), body, false).statusCode()).as("the genuine one").isEqualTo(202);
    }

    @Test
    void signedButUnreadableBodiesAre400AndKeptOnlyAsRejected() {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("invalid UTF-8", bytes("{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_", new byte[]{(byte) 0xC3, (byte) 0x28,
                (byte) 0xFF, (byte) 0xFE}, "\"}}"));
        cases.put("JSON nested 10 000 deep", ("{\"type\":\"membership.activated\",\"data\":{\"x\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}}").getBytes(StandardCharsets.UTF_8));
        cases.put("a JSON array", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        cases.put("a JSON string", "\"membership.activated\"".getBytes(StandardCharsets.UTF_8));
        cases.put("truncated JSON", "{\"type\":\"membership.activated\",\"data\":{".getBytes(StandardCharsets.UTF_8));
        cases.put("data not an object", "{\"type\":\"membership.activated\",\"data\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        cases.put("type not a string", "{\"type\":{\"$ne\":1},\"data\":{}}".getBytes(StandardCharsets.UTF_8));
        cases.put("type longer than 160", ("{\"type\":\"" + "t".repeat(161) + "\",\"data\":{}}").getBytes(StandardCharsets.UTF_8));
        cases.put("data.id longer than 200", ("{\"type\":\"membership.activated\",\"data\":{\"id\":\"" + "m".repeat(201) + "\"}}")
                .getBytes(StandardCharsets.UTF_8));
        // times no database holds: each was a 500 (Instant.ofEpochSecond) or a 503 on every retry (the column)
        cases.put("data.updated_at a huge number", "{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_t\",\"updated_at\":1e30}}"
                .getBytes(StandardCharsets.UTF_8));
        cases.put("data.updated_at a huge negative number", ("{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_t\","
                + "\"updated_at\":-99999999999999}}").getBytes(StandardCharsets.UTF_8));
        cases.put("data.updated_at in milliseconds as text", ("{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_t\","
                + "\"updated_at\":\"99999999999999999\"}}").getBytes(StandardCharsets.UTF_8));
        cases.put("data.updated_at in the year 99999", ("{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_t\","
                + "\"updated_at\":\"+99999-12-31T23:59:59Z\"}}").getBytes(StandardCharsets.UTF_8));
        cases.put("timestamp a huge number", "{\"type\":\"membership.activated\",\"timestamp\":1e300,\"data\":{\"id\":\"mem_t\"}}"
                .getBytes(StandardCharsets.UTF_8));
        int i = 0;
        for (var c : cases.entrySet()) {
            String id = "msg_bad_" + i++;
            HttpResponse<String> response = Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), c.getValue());
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isEqualTo(400);
            assertClean(c.getKey(), response.body());
            if (c.getKey().contains("updated_at") || c.getKey().startsWith("timestamp")) {
                assertThat(jsonOf(response).path("error").asText()).as(c.getKey()).contains("is not a time between the years 1 and 9999");
            }
            assertThat(eventStatus(id)).as(c.getKey() + " is never stored as an event to apply").isNull();
        }
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status <> 'REJECTED'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'REJECTED'")).isEqualTo(cases.size());
    }

    @Test
    void hundredMegabyteBodiesAre413WhetherDeclaredOrStreamed() throws Exception {
        long hundredMb = 100L * 1024 * 1024;
        String declared = "POST /webhooks/whop HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + hundredMb + "\r\n";
        RawHttp.Answer byLength = RawHttp.send(port, declared, hundredMb, (byte) 'a', false);
        assertThat(byLength.status()).isEqualTo(413);
        assertClean("declared", byLength.body());

        String streamed = "POST /webhooks/esign/docusign HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
        RawHttp.Answer byChunks = RawHttp.send(port, streamed, hundredMb, (byte) 'a', true);
        assertThat(byChunks.status()).isEqualTo(413);
        assertClean("streamed", byChunks.body());
        assertThat(count("SELECT COUNT(*) FROM event_log")).isZero();
    }

    @Test
    void hugeHeadersAreRefusedWithoutAServerError() throws Exception {
        String head = "POST /webhooks/whop HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nwebhook-id: "
                + "x".repeat(200_000) + "\r\nContent-Length: 2\r\n";
        RawHttp.Answer answer = RawHttp.send(port, head, 2, (byte) ' ', false);
        assertThat(answer.status()).isBetween(400, 499);
        assertClean("huge header", answer.body());

        long now = Instant.now().getEpochSecond();
        String longId = "msg_" + "i".repeat(250);
        byte[] body = "{\"type\":\"membership.activated\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = Webhooks.send(port, headers(longId, now, Webhooks.sign(Webhooks.SECRET, longId, now, body)), body, false);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jsonOf(response).path("error").asText()).contains("webhook-id is longer than 200 characters");
    }

    @Test
    void sqlHtmlAndOutOfRangeValuesAreStoredVerbatimAndNeverExecuted() {
        long now = Instant.now().getEpochSecond();
        String id = "msg_inj_'; DELETE FROM event_log; --";
        String membership = "mem_<img src=x onerror=alert(1)>'--";
        String body = "{\"id\":\"x\",\"type\":\"membership.activated\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"id\":"
                + quote(membership) + ",\"status\":" + quote(INJECTION) + ",\"cancel_at_period_end\":false,"
                + "\"updated_at\":\"2026-02-01T00:00:00Z\",\"currency\":" + quote(INJECTION)
                + ",\"plan\":{\"renewal_price\":1e400,\"initial_price\":-1e400},\"renewal_period_end\":\"-999999999-01-01T00:00:00Z\","
                + "\"product\":{\"id\":" + quote(INJECTION) + ",\"title\":" + quote(INJECTION) + "},"
                + "\"user\":{\"id\":" + quote(INJECTION) + ",\"email\":" + quote("x'@example.com\"; DROP TABLE event_log") + ",\"name\":"
                + quote(INJECTION) + "}}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = Webhooks.send(port, headers(id, now, Webhooks.sign(Webhooks.SECRET, id, now, bytes)), bytes, false);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await(id);
        assertThat(eventStatus(id)).as("a value the CRM cannot hold is a dead letter, not a silent change").isIn("DONE", "DEAD");
        assertThat(count("SELECT COUNT(*) FROM event_log WHERE id = ?", id)).isEqualTo(1);
        // the statements in the values did not run: the tables are there, and the payload is stored byte for byte
        assertThat(count("SELECT COUNT(*) FROM crm_person")).isGreaterThanOrEqualTo(0);
        assertThat(jdbc.queryForObject("SELECT payload FROM event_log WHERE id = ?", byte[].class, id)).isEqualTo(bytes);

        HttpResponse<String> events = admin("GET", "/api/events", ADMIN_TOKEN);
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(events.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(jsonOf(events).path("items").get(0).path("id").asText()).isEqualTo(id);
        // the id as a path: the request firewall refuses an encoded ';' outright (400), which is no server error
        HttpResponse<String> byPath = admin("GET", "/api/events/" + encode(id), ADMIN_TOKEN);
        assertThat(byPath.statusCode()).isIn(200, 400);
        assertClean("event by hostile id", byPath.body());
        if (byPath.statusCode() == 200) {
            assertThat(jsonOf(byPath).path("payload").path("data").path("id").asText()).isEqualTo(membership);
        }
    }

    @Test
    void aNumberTheCrmCannotHoldIsADeadLetterThatSaysSo() {
        long now = Instant.now().getEpochSecond();
        String body = Webhooks.membershipBody("msg_big", "mem_big", "big@example.com", "B", "active", false, "2026-01-01T00:00:00Z")
                .replace("\"currency\":\"usd\"", "\"currency\":\"usd\",\"plan\":{\"renewal_price\":1e400}");
        assertThat(Webhooks.sendSigned(port, "msg_big", now, body.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        await("msg_big");
        assertThat(eventStatus("msg_big")).isEqualTo("DEAD");
        assertThat(jsonOf(admin("GET", "/api/dead-letters", ADMIN_TOKEN)).path("items").get(0).path("error").asText())
                .contains("MappingException").contains("data.plan.renewal_price").contains("out of range");
        assertThat(count("SELECT COUNT(*) FROM crm_opportunity WHERE membership_id = 'mem_big'")).isZero();
    }

    @Test
    void theAdminApiAnswersHostileIdsAndParametersWith4xxAndNoStackTrace() {
        Map<String, List<Integer>> cases = new LinkedHashMap<>();
        cases.put("/api/events/..%2F..%2Fetc%2Fpasswd", List.of(400, 404));
        cases.put("/api/events/%2e%2e/%2e%2e/etc/passwd", List.of(400, 404));
        cases.put("/api/events/%00", List.of(400, 404));
        cases.put("/api/contracts/..%5C..%5Cwindows", List.of(400, 404));
        cases.put("/api/contracts/ctr_%27%20OR%201%3D1%20--", List.of(404));
        cases.put("/api/events?type=%27%20OR%201%3D1%20--", List.of(200));
        cases.put("/api/events?status=DROP%20TABLE", List.of(400));
        cases.put("/api/events?limit=-1", List.of(400));
        cases.put("/api/events?limit=99999999999999", List.of(400));
        cases.put("/api/events?before=%27%3B--", List.of(400));
        cases.put("/api/dead-letters/1%20OR%201=1/replay", List.of(400, 404, 405));
        cases.put("/api/crm/people?email=%27%20OR%20%271%27=%271", List.of(200));
        cases.put("/api/sync/whop/..%2F..%2Fadmin", List.of(400, 404));
        for (var c : cases.entrySet()) {
            HttpResponse<String> response = admin("GET", c.getKey(), ADMIN_TOKEN);
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isIn(c.getValue());
            assertClean(c.getKey(), response.body());
        }
        assertThat(jsonOf(admin("GET", "/api/events?type=%27%20OR%201%3D1%20--", ADMIN_TOKEN)).path("items")).isEmpty();
        assertThat(jsonOf(admin("GET", "/api/crm/people?email=%27%20OR%20%271%27=%271", ADMIN_TOKEN)).path("items")).isEmpty();
    }

    @Test
    void wrongContentTypesGetAClearAnswer() throws Exception {
        HttpResponse<String> text = send("POST", "/api/contracts", "text/plain", "template=x");
        assertThat(text.statusCode()).isEqualTo(415);
        assertClean("text/plain contract", text.body());
        HttpResponse<String> xml = send("POST", "/api/mappings/preview", "application/xml", "<a/>");
        assertThat(xml.statusCode()).isEqualTo(415);
        HttpResponse<String> pause = send("PUT", "/api/pauses/crm", "application/x-www-form-urlencoded", "reason=x");
        assertThat(pause.statusCode()).isBetween(200, 499);
        assertClean("form pause", pause.body());
        admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);

        // a webhook is judged by its signature over the bytes, whatever it says its type is
        long now = Instant.now().getEpochSecond();
        byte[] body = Webhooks.membershipBody("msg_ct", "mem_ct", "ct@example.com", "C", "active", false, "2026-01-01T00:00:00Z")
                .getBytes(StandardCharsets.UTF_8);
        String signature = Webhooks.sign(Webhooks.SECRET, "msg_ct", now, body);
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/whop"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("webhook-id", "msg_ct")
                .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
        assertThat(jsonOf(form).path("error").asText()).contains("send the body as application/json");
        assertClean("form webhook", form.body());
        HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/whop"))
                .header("Content-Type", "text/plain; charset=ISO-8859-1").header("webhook-id", "msg_ct2")
                .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", Webhooks.sign(Webhooks.SECRET, "msg_ct2", now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(202);
    }

    // --- helpers

    /** No server error leaks: no stack trace, no exception class, no framework internals. */
    private static void assertClean(String what, String body) {
        assertThat(body).as(what).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("org.springframework")
                .doesNotContain("org.apache").doesNotContain("java.lang");
    }

    private static Map<String, String> headers(String id, long timestamp, String signature) {
        return headers(id, timestamp, signature, Long.toString(timestamp));
    }

    private static Map<String, String> headers(String id, long timestamp, String signature, String timestampHeader) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", timestampHeader);
        headers.put("webhook-signature", signature);
        return headers;
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Content-Type", contentType)
                .header("Authorization", "Bearer " + ADMIN_TOKEN).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void await(String id) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> {
            String status = eventStatus(id);
            return status != null && !status.equals("RECEIVED") && !status.equals("PROCESSING");
        });
    }

    private static byte[] bytes(String start, byte[] middle, String end) {
        byte[] a = start.getBytes(StandardCharsets.UTF_8);
        byte[] c = end.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(middle, 0, out, a.length, middle.length);
        System.arraycopy(c, 0, out, a.length + middle.length, c.length);
        return out;
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String encode(String id) {
        return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
