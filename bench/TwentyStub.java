import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Twenty CRM as far as Sluice's connector uses it (research crm.md §A): {@code POST
 * /rest/batch/<people|opportunities|notes|noteTargets>?upsert=true}, answering each call after {@code latency}. People
 * are upserted by email, everything else by id. It remembers every write, so that a record made twice for one key
 * (a duplicate effect) or a change written twice (a rewrite) shows, and tells a listener when an opportunity arrives.
 */
public final class TwentyStub {

    /** How the stub answers: as a healthy CRM, with 500s, or with 429 and Retry-After. */
    enum Mode { HEALTHY, SERVER_ERROR, RATE_LIMITED }

    static final ObjectMapper JSON = new ObjectMapper();

    static final Pattern MEMBERSHIP = Pattern.compile("\\((mem_[^)]+)\\)");
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.HEALTHY);
    final Map<String, String> personIds = new ConcurrentHashMap<>();
    final Map<String, Set<String>> personRecords = new ConcurrentHashMap<>();
    final Map<String, Set<String>> opportunityIds = new ConcurrentHashMap<>();
    final Map<String, String> lastStage = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> sameContentWrites = new ConcurrentHashMap<>();
    final HttpServer server;
    final Duration latency;
    final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong recordsWritten = new java.util.concurrent.atomic.AtomicLong();
    /** Called with (membership id, arrival in System.nanoTime()) for every opportunity written. */
    volatile BiConsumer<String, Long> onOpportunity = (membership, nanos) -> { };

    TwentyStub(Duration latency) throws IOException {
        this.latency = latency;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/rest/batch/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] request = exchange.getRequestBody().readAllBytes();
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Mode now = mode.get();
        if (now == Mode.SERVER_ERROR) {
            respond(exchange, 500, "{\"statusCode\":500,\"messages\":[\"Internal server error\"],\"error\":\"Internal Server Error\"}");
            return;
        }
        if (now == Mode.RATE_LIMITED) {
            exchange.getResponseHeaders().add("Retry-After", "5");
            respond(exchange, 429, "{\"statusCode\":429,\"messages\":[\"Limit reached\"],\"error\":\"Too Many Requests\"}");
            return;
        }
        String plural = exchange.getRequestURI().getPath().substring("/rest/batch/".length());
        ArrayNode records = (ArrayNode) JSON.readTree(request);
        calls.incrementAndGet();
        recordsWritten.addAndGet(records.size());
        ArrayNode answer = JSON.createArrayNode();
        for (JsonNode record : records) {
            String id;
            if (plural.equals("people")) {
                String email = record.path("emails").path("primaryEmail").asText();
                id = personIds.computeIfAbsent(email, e -> java.util.UUID.randomUUID().toString());
                personRecords.computeIfAbsent(email, e -> ConcurrentHashMap.newKeySet()).add(id);
            } else {
                id = record.path("id").asText();
            }
            if (plural.equals("opportunities")) {
                Matcher m = MEMBERSHIP.matcher(record.path("name").asText());
                if (m.find()) {
                    String membership = m.group(1);
                    opportunityIds.computeIfAbsent(membership, k -> ConcurrentHashMap.newKeySet()).add(id);
                    lastStage.put(membership, record.path("stage").asText());
                    sameContentWrites.computeIfAbsent(membership + " " + record, k -> new AtomicInteger()).incrementAndGet();
                    onOpportunity.accept(membership, System.nanoTime());
                }
            }
            ObjectNode out = answer.addObject().put("id", id);
            out.setAll((ObjectNode) record);
            out.put("id", id);
        }
        ObjectNode body = JSON.createObjectNode();
        body.putObject("data").set(plural, answer);
        respond(exchange, 200, body.toString());
    }

    /** A JSON answer; the Whop stub answers the same way. */
    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** How many memberships have an opportunity, and how many emails a person. */
    long opportunities() {
        return opportunityIds.size();
    }

    long people() {
        return personIds.size();
    }

    /** Memberships among {@code expected} that have an opportunity. */
    long applied(String tag, Set<String> expected) {
        return expected.stream().filter(opportunityIds::containsKey).count();
    }

    /** Extra records for one key: a second opportunity id for a membership, a second person for an email. */
    long duplicates(String tag) {
        long opportunities = opportunityIds.entrySet().stream().filter(e -> e.getKey().startsWith("mem_" + tag + "_"))
                .mapToLong(e -> e.getValue().size() - 1).sum();
        long people = personRecords.entrySet().stream().filter(e -> e.getKey().startsWith(tag + "-"))
                .mapToLong(e -> e.getValue().size() - 1).sum();
        return opportunities + people;
    }

    /** The same opportunity content written more than once (a change processed again: harmless, but counted). */
    long rewrites(String tag) {
        return sameContentWrites.entrySet().stream().filter(e -> e.getKey().startsWith("mem_" + tag + "_"))
                .mapToLong(e -> e.getValue().get() - 1).sum();
    }

    Map<String, String> finalStages(String tag) {
        Map<String, String> stages = new java.util.HashMap<>();
        lastStage.forEach((k, v) -> {
            if (k.startsWith("mem_" + tag + "_")) {
                stages.put(k, v);
            }
        });
        return stages;
    }
}
