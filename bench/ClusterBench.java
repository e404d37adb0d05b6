import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingress and end-to-end throughput of one configuration of Sluice (bench/cluster.sh): one or several replicas
 * already running on one database, fed N distinct signed Whop webhooks per round by senders split evenly across the
 * replicas' URLs, with processing running all along (nothing paused).
 *
 * <ul>
 *   <li>ingress: accepted (202) requests per second over the time the senders took, and p50/p95/p99 latency of
 *       the accepted requests, across all URLs;</li>
 *   <li>end to end: accepted events per second from the first request of the round until every accepted event is
 *       an opportunity in the local CRM and the inbox holds nothing pending, waiting or processing.</li>
 * </ul>
 *
 * Before the rounds it warms up (webhooks for the given seconds, then waits until they are processed). Prints each
 * round, the medians as one {@code median} line, and sent / accepted / in the CRM / lost / duplicated over the whole
 * run; exits non-zero on any loss, duplicate or refused request. Reuses {@link IngestBench}'s request signing and
 * keep-alive connections (compiled together).
 *
 * java ClusterBench --urls http://127.0.0.1:18180,http://127.0.0.1:18181 --secret ws_... --token ...
 *      [--requests 6000] [--concurrency 32] [--rounds 3] [--warmup-seconds 30] [--label "[a] "]
 */
public class ClusterBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        List<URI> urls = Arrays.stream(IngestBench.arg(args, "--urls", null).split(",")).map(URI::create).toList();
        String secret = IngestBench.arg(args, "--secret", null);
        String token = IngestBench.arg(args, "--token", null);
        int requests = Integer.parseInt(IngestBench.arg(args, "--requests", "6000"));
        int concurrency = Integer.parseInt(IngestBench.arg(args, "--concurrency", "32"));
        int rounds = Integer.parseInt(IngestBench.arg(args, "--rounds", "3"));
        int warmupSeconds = Integer.parseInt(IngestBench.arg(args, "--warmup-seconds", "30"));
        long drainTimeoutMs = Long.parseLong(IngestBench.arg(args, "--drain-timeout-seconds", "240")) * 1000;
        String label = IngestBench.arg(args, "--label", "");
        String status = urls.get(0) + "/api/status";

        long before = opportunities(status, token);
        long sent = 0;
        long accepted = 0;
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        for (int batch = 0; System.nanoTime() < warmupEnd; batch++) {
            List<IngestBench.Result> warm = send(urls, IngestBench.signedRequests(urls.get(0), secret, 500, "w" + batch), concurrency);
            accepted += warm.stream().filter(r -> r.status() == 202).count();
            sent += 500;
        }
        double warmDrain = drain(status, token, before + accepted, System.nanoTime(), drainTimeoutMs);
        System.out.printf(Locale.ROOT, "%swarm-up: %d webhooks, processed %.1f s after the last was sent%n", label, sent,
                Double.isNaN(warmDrain) ? Double.NaN : warmDrain);

        List<double[]> rows = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<byte[]> batch = IngestBench.signedRequests(urls.get(0), secret, requests, "r" + round);
            long target = opportunities(status, token);
            long start = System.nanoTime();
            List<IngestBench.Result> results = send(urls, batch, concurrency);
            long roundAccepted = results.stream().filter(r -> r.status() == 202).count();
            accepted += roundAccepted;
            sent += requests;
            double[] ingress = IngestBench.summarise(accepted(results), 202);
            double ingressSeconds = results.get(results.size() - 1).nanos() / 1e9;
            double seconds = drain(status, token, target + roundAccepted, start, drainTimeoutMs);
            // {accepted req/s, p50, p95, p99, refused, end-to-end events/s}
            double[] row = {roundAccepted / ingressSeconds, ingress[1], ingress[2], ingress[3], requests - roundAccepted,
                    roundAccepted / seconds};
            rows.add(row);
            System.out.printf(Locale.ROOT, "%sround %d  ingress %6.0f req/s p50 %6.2f p95 %6.2f p99 %6.2f ms  non-202 %.0f | end to end %6.0f events/s (%.1f s)%n",
                    label, round, row[0], row[1], row[2], row[3], row[4], row[5], seconds);
        }
        System.out.printf(Locale.ROOT, "%smedian ingress %.0f req/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms; end to end %.0f events/s%n",
                label, IngestBench.median(rows, 0), IngestBench.median(rows, 1), IngestBench.median(rows, 2),
                IngestBench.median(rows, 3), IngestBench.median(rows, 5));

        Thread.sleep(1000);
        long applied = opportunities(status, token) - before;
        System.out.printf(Locale.ROOT, "%ssent %d, accepted %d, in the CRM %d: lost %d, duplicated %d%n", label, sent, accepted,
                applied, Math.max(0, accepted - applied), Math.max(0, applied - accepted));
        System.exit(applied == accepted && accepted == sent ? 0 : 1);
    }

    /** The results without the last entry, which carries the wall time, and without refused requests. */
    static List<IngestBench.Result> accepted(List<IngestBench.Result> results) {
        List<IngestBench.Result> list = new ArrayList<>(results.subList(0, results.size() - 1).stream()
                .filter(r -> r.status() == 202).toList());
        list.add(results.get(results.size() - 1));
        return list;
    }

    /**
     * Sends the requests at the given concurrency, sender t to URL t modulo the number of URLs, all senders taking
     * the next request from one shared list; the last entry of the result carries the wall time.
     */
    static List<IngestBench.Result> send(List<URI> urls, List<byte[]> requests, int concurrency) throws Exception {
        IngestBench.Result[] results = new IngestBench.Result[requests.size()];
        AtomicInteger next = new AtomicInteger();
        Thread[] threads = new Thread[concurrency];
        for (int t = 0; t < concurrency; t++) {
            URI base = urls.get(t % urls.size());
            threads[t] = new Thread(() -> {
                IngestBench.Connection connection = null;
                try {
                    for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                        if (connection == null) {
                            connection = new IngestBench.Connection(base);
                        }
                        long start = System.nanoTime();
                        int code;
                        try {
                            code = connection.exchange(requests.get(i));
                        } catch (IOException e) {
                            code = -599; // the connection broke: counted as refused, tried on a new connection
                        }
                        results[i] = new IngestBench.Result(Math.abs(code), System.nanoTime() - start);
                        if (code < 0) {
                            connection.close();
                            connection = null;
                        }
                    }
                } catch (IOException e) {
                    // cannot connect: the rest of this sender's share is left to the others
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            });
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long wall = System.nanoTime() - start;
        List<IngestBench.Result> list = new ArrayList<>(Arrays.asList(results));
        list.removeIf(r -> r == null);
        list.add(new IngestBench.Result(-2, wall));
        return list;
    }

    /**
     * Waits until the local CRM holds the expected opportunities and the inbox has nothing pending, waiting or
     * processing; returns the seconds since {@code start}, NaN when that did not happen within the timeout.
     */
    static double drain(String status, String token, long expected, long start, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            String body = get(status, token);
            if (number(body, "\"opportunities\":") >= expected && number(body, "\"pending\":") == 0
                    && number(body, "\"waiting\":") == 0 && number(body, "\"processing\":") == 0) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(100);
        }
        return Double.NaN;
    }

    static long opportunities(String status, String token) throws Exception {
        return number(get(status, token), "\"opportunities\":");
    }

    static String get(String url, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The first non-negative integer after {@code key} in a JSON text. */
    static long number(String body, String key) {
        int at = body.indexOf(key);
        if (at < 0) {
            throw new IllegalStateException("no " + key + " in " + body);
        }
        int from = at + key.length();
        while (from < body.length() && body.charAt(from) == ' ') {
            from++;
        }
        int end = from;
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        return Long.parseLong(body.substring(from, end));
    }
}
