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
 * A Twenty CRM as far as Sluice's connector uses it (docs/connectors/twenty.md): {@code POST
 * /rest/batch/<people|opportunities|notes|noteTargets>?upsert=true}, answering each call after {@code latency}. People
 * are upserted by email, everything else by id. It remembers every write, so that a record made twice for one key
 * (a duplicate effect) or a change written twice (a rewrite) shows, and tells a listener when an opportunity arrives.
 * <p>
 * Answers are shaped like Twenty 2.21's (src/test/resources/fixtures/twenty-2.21): a batch write is {@code 201}
 * {@code {"data":{"createPeople":[...]}}}; the CRM check Sluice runs at start gets {@code GET /rest/people?limit=1}
 * ({@code data.people}) and a {@code POST /metadata} answer without an object list (the data model is then not
 * checked). With {@link #limit} set, the {@code /rest} calls are admitted at most {@code max} in any rolling window
 * of {@code per} (stricter than Twenty's own token bucket: whatever the window admits, the bucket would too); a
 * call beyond gets Twenty's 429, which names no wait.
 */
public final class TwentyStub {

    /** How the stub answers: as a healthy CRM (within its {@link #limit}, if set), with 500s, or with 429 and Retry-After. */
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
    /** Every batch write answered 201: when it arrived (System.nanoTime()), people (0) or not (1), and its records. */
    final java.util.List<long[]> writes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** The rolling-window limit ({@link #limit}): 0 for none. */
    private int limitMax;
    private long limitWindowNanos;
    /** When each admitted /rest call arrived while a limit is set (System.nanoTime()). */
    private final java.util.ArrayDeque<Long> admitted = new java.util.ArrayDeque<>();
    /** Each /rest call that arrived while a limit is set, admitted or not, in order: for the busiest window. */
    private final java.util.List<Arrival> arrivals = new java.util.ArrayList<>();
    /** The /rest calls answered 429 because the limit's window was full. */
    final java.util.concurrent.atomic.AtomicLong rateLimited = new java.util.concurrent.atomic.AtomicLong();

    /** A /rest call seen while a limit was set: when (System.nanoTime()), what, and whether it was admitted. */
    record Arrival(long nanos, String path, int records, boolean admitted) {
    }
    /** Called with (membership id, arrival in System.nanoTime()) for every opportunity written. */
    volatile BiConsumer<String, Long> onOpportunity = (membership, nanos) -> { };

    TwentyStub(Duration latency) throws IOException {
        this.latency = latency;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/rest/batch/", this::handle);
        server.createContext("/rest/people", this::handleRead);
        server.createContext("/metadata", this::handleMetadata);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    /**
     * Admits at most {@code max} {@code /rest} calls in any window of {@code per} from now on, answering the others
     * 429 like Twenty (no Retry-After); {@code max} 0 lifts the limit. Resets the counts {@link #rateLimited} and
     * {@link #busiestWindow} report.
     */
    synchronized void limit(int max, Duration per) {
        limitMax = max;
        limitWindowNanos = per.toNanos();
        admitted.clear();
        arrivals.clear();
        rateLimited.set(0);
    }

    /** True when the call may go on; false when it was answered 429 (the rolling window is full). */
    private boolean admit(HttpExchange exchange, int records) throws IOException {
        boolean ok;
        int max;
        long window;
        synchronized (this) {
            max = limitMax;
            window = limitWindowNanos;
            if (max == 0) {
                return true;
            }
            long now = System.nanoTime();
            while (!admitted.isEmpty() && now - admitted.peekFirst() >= window) {
                admitted.pollFirst();
            }
            ok = admitted.size() < max;
            if (ok) {
                admitted.addLast(now);
            }
            arrivals.add(new Arrival(now, exchange.getRequestURI().getPath(), records, ok));
        }
        if (!ok) {
            rateLimited.incrementAndGet();
            // Twenty 2.21's answer (error-429-rate-limit-batch-upsert.json): no Retry-After, no X-RateLimit-*
            respond(exchange, 429, "{\"statusCode\":429,\"error\":\"HttpException\",\"messages\":[\"Limit reached (" + max
                    + " tokens per " + window / 1_000_000 + " ms)\"]}");
        }
        return ok;
    }

    /** The most /rest calls that arrived in any window of the limit's length since {@link #limit} (admitted or not). */
    synchronized int busiestWindow() {
        int best = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            best = Math.max(best, inWindowEndingAt(i));
        }
        return best;
    }

    /** How many calls since {@link #limit} arrived when more than {@code budget} had arrived in the window ending with them. */
    synchronized int beyond(int budget) {
        int beyond = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            beyond += inWindowEndingAt(i) > budget ? 1 : 0;
        }
        return beyond;
    }

    private int inWindowEndingAt(int last) {
        int first = last;
        while (first > 0 && arrivals.get(last).nanos() - arrivals.get(first - 1).nanos() < limitWindowNanos) {
            first--;
        }
        return last - first + 1;
    }

    /** Every call seen since {@link #limit}. */
    synchronized java.util.List<Arrival> arrivals() {
        return new java.util.ArrayList<>(arrivals);
    }

    /** The CRM check's record read: {@code GET /rest/people?limit=1}, answered like Twenty (no people here). */
    private void handleRead(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (!admit(exchange, 0)) {
            return;
        }
        respond(exchange, 200, "{\"data\":{\"people\":[]},\"totalCount\":0,\"pageInfo\":{\"startCursor\":null,\"endCursor\":null,"
                + "\"hasNextPage\":false,\"hasPreviousPage\":false}}");
    }

    /** The CRM check's metadata query: no object list, so Sluice notes that the data model was not checked. */
    private void handleMetadata(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        respond(exchange, 200, "{\"data\":{\"objects\":{\"edges\":[]}}}");
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
        ArrayNode records = (ArrayNode) JSON.readTree(request);
        if (!admit(exchange, records.size())) {
            return;
        }
        String plural = exchange.getRequestURI().getPath().substring("/rest/batch/".length());
        calls.incrementAndGet();
        recordsWritten.addAndGet(records.size());
        writes.add(new long[] {System.nanoTime(), plural.equals("people") ? 0 : 1, records.size()});
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
        // Twenty 2.21: 201 {"data":{"createPeople":[...]}} (batch-people-upsert-create.json), also for upserts that update
        ObjectNode body = JSON.createObjectNode();
        body.putObject("data").set("create" + Character.toUpperCase(plural.charAt(0)) + plural.substring(1), answer);
        respond(exchange, 201, body.toString());
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
