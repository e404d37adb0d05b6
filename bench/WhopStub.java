import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whop's list endpoints as docs/connectors/whop.md describes them, for a backfill: {@code GET /api/v1/<members|memberships
 * |payments>?company_id=&first=&after=} answering cursor pages {@code {"data": [...], "page_info": {...}}} of
 * {@code records} members and as many memberships (one per member, same user), no payments.
 */
public final class WhopStub {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "whop_bench_key";
    static final String COMPANY = "biz_Xa1b2C3d4E5f6G";

    final int records;
    final HttpServer server;
    final AtomicLong pages = new AtomicLong();
    /** When each page was answered (System.nanoTime()) and of what: for the backfill's timeline. */
    final java.util.List<long[]> pageTimes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    final AtomicLong refused = new AtomicLong();

    WhopStub(int records) throws IOException {
        this.records = records;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
    }

    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!("Bearer " + KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            refused.incrementAndGet();
            TwentyStub.respond(exchange, 401, "{\"error\":{\"message\":\"Invalid API key\"}}");
            return;
        }
        String resource = exchange.getRequestURI().getPath().substring("/api/v1/".length());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int first = Integer.parseInt(query.getOrDefault("first", "10"));
        int from = query.containsKey("after") ? Integer.parseInt(query.get("after").substring(1)) : 0;
        int total = resource.equals("payments") ? 0 : records;
        int to = Math.min(total, from + first);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        for (int i = from; i < to; i++) {
            data.add(resource.equals("members") ? member(i) : membership(i));
        }
        ObjectNode pageInfo = body.putObject("page_info");
        pageInfo.put("end_cursor", to < total ? "c" + to : null);
        pageInfo.putNull("start_cursor");
        pageInfo.put("has_next_page", to < total);
        pageInfo.put("has_previous_page", from > 0);
        pages.incrementAndGet();
        TwentyStub.respond(exchange, 200, body.toString());
        pageTimes.add(new long[] {System.nanoTime(), resource.equals("members") ? 0 : resource.equals("memberships") ? 1 : 2});
    }

    static ObjectNode member(int i) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", "mber_bf" + i);
        m.put("access_level", "customer");
        m.put("created_at", "2026-01-01T00:00:00.000Z");
        m.put("updated_at", "2026-01-02T00:00:00.000Z");
        m.put("status", "joined");
        user(m, i);
        return m;
    }

    static ObjectNode membership(int i) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", "mem_bf" + i);
        m.put("status", "active");
        m.put("cancel_at_period_end", false);
        m.put("created_at", "2026-01-01T00:00:00.000Z");
        m.put("updated_at", "2026-01-02T00:00:00.000Z");
        m.put("currency", "usd");
        m.putObject("plan").put("id", "plan_V4b5N6m7A8s9D0").put("renewal_price", 49).put("initial_price", 49);
        m.putObject("product").put("id", "prod_H7j8K9l0Z1x2C3").put("title", "Acme Pro");
        m.put("renewal_period_end", "2026-02-01T00:00:00.000Z");
        m.putObject("member").put("id", "mber_bf" + i);
        user(m, i);
        return m;
    }

    private static void user(ObjectNode record, int i) {
        record.putObject("user").put("id", "user_bf" + i).put("email", "backfill-" + i + "@example.com")
                .put("name", "Backfill Person" + i).put("username", "bf" + i);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }
}
