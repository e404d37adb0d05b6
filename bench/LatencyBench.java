import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end latency, webhook to CRM (docs/performance.md): Sluice from the jar as its own process, on PostgreSQL or H2,
 * writing to a {@link TwentyStub} that answers every call after a fixed latency (50 ms). Signed activations are sent
 * at a steady rate; the latency of each is the time from sending it to the stub receiving its opportunity (after the
 * person: two CRM calls). Prints start time, idle and loaded RSS, the acknowledgement latency and the webhook-to-CRM
 * p50/p95/p99.
 *
 * java -cp <jackson>:<classes> LatencyBench --jar target/sluice-*.jar --work DIR [--pg-url URL] [--rate 20] [--seconds 60]
 *      [--crm-latency-ms 50] [--label name]
 */
public class LatencyBench {

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(2); // the stubs' and senders' threads would keep a failed run alive
        }
    }

    static void run(String[] args) throws Exception {
        Path jar = Path.of(ChaosBench.arg(args, "--jar", "target/sluice-0.1.0-SNAPSHOT.jar"));
        Path work = Path.of(ChaosBench.arg(args, "--work", null));
        String pgUrl = ChaosBench.arg(args, "--pg-url", "");
        int rate = Integer.parseInt(ChaosBench.arg(args, "--rate", "20"));
        int seconds = Integer.parseInt(ChaosBench.arg(args, "--seconds", "60"));
        Duration crmLatency = Duration.ofMillis(Long.parseLong(ChaosBench.arg(args, "--crm-latency-ms", "50")));
        String label = ChaosBench.arg(args, "--label", pgUrl.isEmpty() ? "h2" : "postgres");

        TwentyStub crm = new TwentyStub(crmLatency);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        crm.onOpportunity = (membership, nanos) -> arrivedAt.putIfAbsent(membership, nanos);
        ChaosBench.Sluice sluice = new ChaosBench.Sluice(jar, work, pgUrl.isEmpty() ? null : pgUrl, crm.url(), List.of());
        int status = 0;
        try {
            sluice.start();
            Thread.sleep(15_000);
            long idleRss = sluice.rssMib();

            // warm-up: a third of the run at the same rate, not counted
            send(sluice, "warm", rate, Math.max(10, seconds / 3), new ConcurrentHashMap<>(), new ArrayList<>());
            Thread.sleep(3000);
            List<Long> ackNanos = new ArrayList<>();
            int sent = send(sluice, "lat", rate, seconds, sentAt, ackNanos);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (arrivedAt.keySet().stream().filter(k -> k.startsWith("mem_lat_")).count() < sent && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long loadedRss = sluice.rssMib();
            long[] e2e = sentAt.entrySet().stream().filter(e -> arrivedAt.containsKey(e.getKey()))
                    .mapToLong(e -> arrivedAt.get(e.getKey()) - e.getValue()).sorted().toArray();
            long[] ack = ackNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "[%s] start to ready %.1f s; RSS idle %d MiB, after the run %d MiB%n", label,
                    sluice.startSeconds, idleRss, loadedRss);
            System.out.printf(Locale.ROOT, "[%s] %d webhooks at %d/s, CRM answering after %d ms: acknowledged p50 %.1f / p99 %.1f ms; "
                            + "webhook -> CRM p50 %.0f / p95 %.0f / p99 %.0f ms (%d of %d arrived)%n", label, sent, rate,
                    crmLatency.toMillis(), pct(ack, 50), pct(ack, 99), pct(e2e, 50), pct(e2e, 95), pct(e2e, 99), e2e.length, sent);
            status = e2e.length == sent ? 0 : 1;
        } finally {
            sluice.stop();
            crm.stop();
        }
        System.exit(status);
    }

    /** Sends {@code rate} activations a second for {@code seconds}, each at its own time; returns how many were sent. */
    static int send(ChaosBench.Sluice sluice, String tag, int rate, int seconds, Map<String, Long> sentAt, List<Long> ackNanos)
            throws Exception {
        int n = rate * seconds;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        long start = System.nanoTime();
        long gap = 1_000_000_000L / rate;
        AtomicLong refused = new AtomicLong();
        List<Long> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            long due = start + i * gap;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            ChaosBench.Delivery d = ChaosBench.Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z"));
            pool.submit(() -> {
                long t0 = System.nanoTime();
                sentAt.put(d.membershipId(), t0);
                long now = Instant.now().getEpochSecond();
                try {
                    int code = ChaosBench.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port + "/webhooks/whop"))
                            .header("content-type", "application/json").header("webhook-id", d.id())
                            .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", ChaosBench.sign(d.id(), now, d.body()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(d.body())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (code == 202) {
                        acks.add(System.nanoTime() - t0);
                    } else {
                        refused.incrementAndGet();
                    }
                } catch (IOException | InterruptedException e) {
                    refused.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        ackNanos.addAll(acks);
        if (refused.get() > 0) {
            System.out.printf(Locale.ROOT, "  %d of %d %s webhooks not accepted%n", refused.get(), n, tag);
        }
        return n;
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }
}
