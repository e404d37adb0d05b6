import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook ingest benchmark: sends N distinct signed Whop webhooks to a running Sluice at a fixed concurrency,
 * and in the same run the same number of requests to a bare platform-http route that only answers 200. Prints
 * throughput and p50/p95/p99 latency per round, the medians, the ratio to the bare route, and checks that
 * exactly the accepted events reached the local CRM (no loss, no duplicate).
 *
 * Requests are signed before the clock starts and sent over plain keep-alive sockets, so that the generator,
 * which shares the two cores with Sluice and the database, costs as little as possible.
 *
 * java bench/IngestBench.java --url http://127.0.0.1:18080 --secret ws_... --token ... [--requests 20000]
 *      [--concurrency 32] [--rounds 3] [--warmup-seconds 90] [--sustained-seconds 60] [--sustained-share 0.8]
 *
 * After the catch-up, a sustained load at --sustained-share of the webhook median with processing running: how many
 * were accepted, how long the inbox took to empty after the last, and from stored to DONE at p50/p95/p99.
 */
public class IngestBench {

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "http://127.0.0.1:18080");
        String secret = arg(args, "--secret", null);
        // a peer (Node-RED) has no admin API: nothing to pause, and the script counts its rows itself
        boolean peer = Boolean.parseBoolean(arg(args, "--peer", "false"));
        String token = peer ? null : arg(args, "--token", null);
        int requests = Integer.parseInt(arg(args, "--requests", "20000"));
        int concurrency = Integer.parseInt(arg(args, "--concurrency", "32"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        String label = arg(args, "--label", "");
        URI base = URI.create(url);

        long before = peer ? 0 : appliedOpportunities(url, token);
        // ingress is measured alone: processing waits (the crm kill switch) and catches up after the rounds
        if (!peer) {
            admin(url, token, "PUT", "/api/pauses/crm");
        }
        // warm-up: on two shared cores the JIT needs a minute or more of traffic before figures settle
        int warmupSeconds = Integer.parseInt(arg(args, "--warmup-seconds", "90"));
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long accepted = 0;
        long warmupSent = 0;
        for (int batch = 0; System.nanoTime() < warmupEnd; batch++) {
            run(base, "/webhooks/bench-bare", bareRequests(base, 5000), concurrency);
            List<Result> warm = run(base, "/webhooks/whop", signedRequests(base, secret, 500, "w" + batch), concurrency);
            accepted += warm.stream().filter(r -> r.status == 202).count();
            warmupSent += 500;
        }

        List<double[]> bare = new ArrayList<>();
        List<double[]> hooks = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double[] b = summarise(run(base, "/webhooks/bench-bare", bareRequests(base, requests), concurrency), -1);
            List<Result> results = run(base, "/webhooks/whop", signedRequests(base, secret, requests, "r" + round), concurrency);
            accepted += results.stream().filter(r -> r.status == 202).count();
            double[] w = summarise(results, 202);
            bare.add(b);
            hooks.add(w);
            System.out.printf(Locale.ROOT, "%sround %d  bare: %8.0f req/s p50 %5.2f p95 %5.2f p99 %5.2f ms | webhook: %8.0f req/s p50 %5.2f p95 %5.2f p99 %5.2f ms  non-202: %.0f%n",
                    label, round, b[0], b[1], b[2], b[3], w[0], w[1], w[2], w[3], w[4]);
        }
        double bareRps = median(bare, 0);
        double hookRps = median(hooks, 0);
        System.out.printf(Locale.ROOT, "%smedian bare %.0f req/s (p99 %.2f ms); webhook %.0f req/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms; ratio %.1f%% of bare%n",
                label, bareRps, median(bare, 3), hookRps, median(hooks, 1), median(hooks, 2), median(hooks, 3), 100 * hookRps / bareRps);

        if (peer) {
            long sent = (long) requests * rounds + warmupSent;
            System.out.printf(Locale.ROOT, "%ssent %d, accepted %d%n", label, sent, accepted);
            System.exit(accepted == sent ? 0 : 1);
        }
        admin(url, token, "DELETE", "/api/pauses/crm");
        long catchUpStart = System.nanoTime();
        long expected = before + accepted;
        long deadline = System.currentTimeMillis() + 300_000;
        long applied = appliedOpportunities(url, token);
        // polled once a second: the status's counts are work for the database too
        while (applied < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(1000);
            applied = appliedOpportunities(url, token);
        }
        double catchUp = (System.nanoTime() - catchUpStart) / 1e9;
        // each webhook is two inbox events: its own, and the lead-score request its applied change stores
        while (unfinished(url, token) > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(1000);
        }
        double drained = (System.nanoTime() - catchUpStart) / 1e9;
        applied = appliedOpportunities(url, token);
        double processingRate = (applied - before) / drained;
        System.out.printf(Locale.ROOT, "%sprocessing caught up with %d webhooks: every opportunity in the local CRM after %.1f s (%.0f/s), "
                        + "every event done, lead scores too, after %.1f s: %.0f webhooks/s, %.1f%% of the ingress rate%n",
                label, applied - before, catchUp, (applied - before) / catchUp, drained, processingRate, 100 * processingRate / hookRps);
        long sent = (long) requests * rounds + warmupSent;

        int sustainedSeconds = Integer.parseInt(arg(args, "--sustained-seconds", "60"));
        if (sustainedSeconds > 240) {
            // requests are signed before the clock starts, and Sluice refuses a signature older than five minutes
            throw new IllegalArgumentException("--sustained-seconds is at most 240");
        }
        if (sustainedSeconds > 0 && applied == expected && accepted == sent) {
            double share = Double.parseDouble(arg(args, "--sustained-share", "0.8"));
            Sustained result = sustained(base, url, token, secret, concurrency, share, hookRps, sustainedSeconds, label);
            accepted += result.accepted();
            sent += result.sent();
            expected += result.accepted();
            applied = appliedOpportunities(url, token);
        }
        System.out.printf(Locale.ROOT, "%ssent %d, accepted %d, in the CRM %d: lost %d, duplicated %d%n",
                label, sent, accepted, applied - before, Math.max(0, expected - applied), Math.max(0, applied - expected));
        if (applied != expected || accepted != sent) {
            System.exit(1);
        }
    }

    record Result(int status, long nanos) {
    }

    record Sustained(long sent, long accepted) {
    }

    /**
     * Webhooks at a steady {@code rate} for {@code seconds} with processing running, then how long each took from being
     * stored (just before its 202) to DONE, and to its lead score being DONE, read back from the admin API.
     */
    static Sustained sustained(URI base, String url, String token, String secret, int concurrency, double share, double ingressRate,
                               int seconds, String label) throws Exception {
        double rate = share * ingressRate;
        int n = (int) Math.round(rate * seconds);
        String tag = "s" + Long.toString(System.nanoTime(), 36);
        List<byte[]> requests = signedRequests(base, secret, n, tag);
        long start = System.nanoTime();
        List<Result> results = runPaced(base, requests, concurrency, rate);
        double sending = (System.nanoTime() - start) / 1e9;
        long accepted = results.stream().filter(r -> r.status == 202).count();
        long sentAt = System.nanoTime();
        long deadline = System.currentTimeMillis() + 300_000;
        while (unfinished(url, token) > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        double drain = (System.nanoTime() - sentAt) / 1e9;
        long[][] latencies = doneLatencies(url, token, "_" + tag + "_");
        long[] webhook = latencies[0];
        long[] scored = latencies[1];
        double[] ingress = summarise(results, 202);
        System.out.printf(Locale.ROOT, "%ssustained: %d webhooks at %.0f/s asked (%.0f%% of the ingress median), %.0f/s accepted over %.1f s, ingress p99 %.2f ms; "
                        + "the inbox empty %.1f s after the last%n",
                label, n, rate, 100 * share, accepted / sending, sending, ingress[3], drain);
        System.out.printf(Locale.ROOT, "%sstored -> DONE: p50 %.1f, p95 %.1f, p99 %.1f ms (%d events); -> lead score DONE: p50 %.1f, p95 %.1f, p99 %.1f ms (%d)%n",
                label, pct(webhook, 50), pct(webhook, 95), pct(webhook, 99), webhook.length,
                pct(scored, 50), pct(scored, 95), pct(scored, 99), scored.length);
        return new Sustained(n, accepted);
    }

    /**
     * The requests over keep-alive connections from {@code concurrency} senders, request i no earlier than i / rate
     * seconds after the start (an open-loop load; an infinite rate sends each as soon as a sender is free). The last
     * entry carries the wall time.
     */
    static List<Result> runPaced(URI base, List<byte[]> requests, int concurrency, double rate) throws Exception {
        Result[] results = new Result[requests.size()];
        AtomicInteger next = new AtomicInteger();
        boolean paced = !Double.isInfinite(rate);
        long start = System.nanoTime() + (paced ? 10_000_000L : 0);
        Thread[] threads = new Thread[concurrency];
        for (int t = 0; t < concurrency; t++) {
            threads[t] = new Thread(() -> {
                Connection connection = null;
                try {
                    for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                        long wait = paced ? start + (long) (i * 1e9 / rate) - System.nanoTime() : 0;
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        if (connection == null) {
                            connection = new Connection(base);
                        }
                        long sentAt = System.nanoTime();
                        int status = connection.exchange(requests.get(i));
                        results[i] = new Result(Math.abs(status), System.nanoTime() - sentAt);
                        if (status < 0) {
                            connection.close();
                            connection = null;
                        }
                    }
                } catch (IOException e) {
                    // this sender stops; its requests not sent count as not accepted
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long wall = System.nanoTime() - start;
        List<Result> list = new ArrayList<>(Arrays.asList(results));
        list.removeIf(r -> r == null);
        list.add(new Result(-2, wall));
        return list;
    }

    /** Events received, waiting or in processing, from {@code /api/status}. */
    static long unfinished(String url, String token) throws Exception {
        String body = get(url, token, "/api/status");
        return number(body, "\"pending\":") + number(body, "\"waiting\":") + number(body, "\"processing\":");
    }

    /**
     * From the newest events (the admin API's listing, newest first), the milliseconds from stored to DONE of the
     * webhooks whose id contains {@code marker}, and from the webhook stored to its lead score DONE.
     */
    static long[][] doneLatencies(String url, String token, String marker) throws Exception {
        java.util.Map<String, Instant[]> webhooks = new java.util.HashMap<>();
        java.util.Map<String, Instant> scores = new java.util.HashMap<>();
        java.util.regex.Pattern item = java.util.regex.Pattern.compile(
                "\\{\"id\":\"([^\"]+)\"[^{}]*?\"status\":\"([A-Z]+)\"[^{}]*?\"receivedAt\":\"([^\"]+)\",\"updatedAt\":\"([^\"]+)\"");
        String before = null;
        int seenWithout = 0;
        do {
            String body = get(url, token, "/api/events?limit=500" + (before == null ? "" : "&before=" + before));
            java.util.regex.Matcher m = item.matcher(body);
            boolean any = false;
            while (m.find()) {
                String id = m.group(1);
                if (!id.contains(marker) || !"DONE".equals(m.group(2))) {
                    continue;
                }
                any = true;
                if (id.startsWith("ai-score:")) {
                    scores.put(id.substring("ai-score:".length()), Instant.parse(m.group(4)));
                } else {
                    webhooks.put(id, new Instant[]{Instant.parse(m.group(3)), Instant.parse(m.group(4))});
                }
            }
            seenWithout = any ? 0 : seenWithout + 1;
            java.util.regex.Matcher cursor = java.util.regex.Pattern.compile("\"next\":\"([^\"]+)\"").matcher(body);
            before = cursor.find() ? java.net.URLEncoder.encode(cursor.group(1), StandardCharsets.UTF_8) : null;
        } while (before != null && seenWithout < 2);
        long[] done = webhooks.values().stream().mapToLong(t -> java.time.Duration.between(t[0], t[1]).toNanos()).sorted().toArray();
        long[] scored = webhooks.entrySet().stream().filter(e -> scores.containsKey(e.getKey()))
                .mapToLong(e -> java.time.Duration.between(e.getValue()[0], scores.get(e.getKey())).toNanos()).sorted().toArray();
        return new long[][]{done, scored};
    }

    static String get(String url, String token, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static long number(String body, String key) {
        int at = body.indexOf(key);
        if (at < 0) {
            throw new IllegalStateException("no " + key + " in " + body);
        }
        int end = at + key.length();
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        return Long.parseLong(body.substring(at + key.length(), end));
    }

    static List<Result> run(URI base, String path, List<byte[]> requests, int concurrency) throws Exception {
        return runPaced(base, requests, concurrency, Double.POSITIVE_INFINITY);
    }

    /** A keep-alive HTTP/1.1 connection with a buffered reader. */
    static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(URI base) throws IOException {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
        }

        /** One request and its response; the status, negative when the server closes the connection after it. */
        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String head = readHead();
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            int cl = lower.indexOf("content-length:");
            if (cl >= 0) {
                int end = lower.indexOf("\r\n", cl);
                skip(Long.parseLong(lower.substring(cl + 15, end).trim()));
            } else if (lower.contains("transfer-encoding: chunked")) {
                skipChunked();
            }
            return lower.contains("connection: close") ? -status : status;
        }

        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream(256);
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                head.write(c);
                matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        private void skipChunked() throws IOException {
            while (true) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) != '\n') {
                    if (c < 0) {
                        throw new IOException("connection closed");
                    }
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
                int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
                skip(size + 2L);
                if (size == 0) {
                    return;
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    static List<byte[]> bareRequests(URI base, int n) {
        byte[] request = ("POST /webhooks/bench-bare HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(request);
        }
        return list;
    }

    /** N distinct membership.activated webhooks (about 1.1 KB each, like Whop's), signed with the given secret. */
    static List<byte[]> signedRequests(URI base, String secret, int n, String tag) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        long now = Instant.now().getEpochSecond();
        String run = Long.toString(System.nanoTime(), 36);
        List<byte[]> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = "msg_bench_" + run + "_" + tag + "_" + i;
            String mem = "mem_bench_" + run + "_" + tag + "_" + i;
            String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"type\":\"membership.activated\","
                    + "\"company_id\":\"biz_Xa1b2C3d4E5f6G\",\"data\":{\"id\":\"" + mem + "\",\"cancel_at_period_end\":false,\"cancel_option\":null,"
                    + "\"canceled_at\":null,\"cancellation_reason\":null,\"checkout_configuration_id\":null,\"company\":{\"id\":\"biz_Xa1b2C3d4E5f6G\","
                    + "\"title\":\"Acme Trading\"},\"created_at\":\"2026-01-01T00:00:00.000Z\",\"currency\":\"usd\",\"joined_at\":\"2026-01-01T00:00:00.000Z\","
                    + "\"license_key\":null,\"manage_url\":\"https://whop.com/billing/manage/" + mem + "\",\"member\":{\"id\":\"mber_P0o9I8u7Y6t5R4\"},"
                    + "\"metadata\":{},\"payment_collection_paused\":false,\"plan\":{\"id\":\"plan_V4b5N6m7A8s9D0\",\"metadata\":{\"tier\":\"pro\"}},"
                    + "\"product\":{\"id\":\"prod_H7j8K9l0Z1x2C3\",\"title\":\"Acme Pro\",\"metadata\":null},\"promo_code\":null,"
                    + "\"renewal_period_start\":\"2026-01-01T00:00:00.000Z\",\"renewal_period_end\":\"2026-02-01T00:00:00.000Z\",\"status\":\"active\","
                    + "\"updated_at\":\"2026-01-01T00:00:00.000Z\",\"user\":{\"id\":\"user_" + i + "\",\"email\":\"bench-" + run + "-" + tag + "-" + i
                    + "@example.com\",\"name\":\"Bench User\",\"username\":\"bench\"}}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            mac.update((id + "." + now + ".").getBytes(StandardCharsets.UTF_8));
            String signature = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(bytes));
            String head = "POST /webhooks/whop HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "webhook-id: " + id + "\r\nwebhook-timestamp: " + now + "\r\nwebhook-signature: " + signature + "\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] request = Arrays.copyOf(headBytes, headBytes.length + bytes.length);
            System.arraycopy(bytes, 0, request, headBytes.length, bytes.length);
            list.add(request);
        }
        return list;
    }

    /** {req/s, p50 ms, p95 ms, p99 ms, count of unexpected statuses}. */
    static double[] summarise(List<Result> results, int expected) {
        long wall = results.get(results.size() - 1).nanos;
        List<Result> real = results.subList(0, results.size() - 1);
        long[] nanos = real.stream().mapToLong(Result::nanos).sorted().toArray();
        long unexpected = expected < 0 ? real.stream().filter(r -> r.status != 200).count()
                : real.stream().filter(r -> r.status != expected).count();
        return new double[]{real.size() / (wall / 1e9), pct(nanos, 50), pct(nanos, 95), pct(nanos, 99), unexpected};
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }

    static long appliedOpportunities(String url, String token) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/status"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        int at = body.indexOf("\"opportunities\":");
        if (at < 0) {
            throw new IllegalStateException("no localCrm counts in /api/status: " + body);
        }
        int end = at + 16;
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        return Long.parseLong(body.substring(at + 16, end));
    }

    static void admin(String url, String token, String method, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return fallback;
    }
}
