import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fault injection against a running Sluice (bench/chaos.sh starts the database): Sluice as a separate process on
 * PostgreSQL, writing to a stub CRM ({@link TwentyStub}) served from this process, fed signed Whop webhooks by
 * senders that retry like Whop (after 10, 20, 40, 80, 160 s), with faults injected per scenario:
 *
 * <ul>
 *   <li>{@code kill9}: {@code kill -9} of Sluice three times during a run of N events, restarted each time;</li>
 *   <li>{@code crm-outage}: the CRM answers 500 for 120 s, then 429 with Retry-After for 30 s, then is healthy;</li>
 *   <li>{@code rate-limit}: a burst of 300 activations at a CRM that admits 20 calls in any rolling 5 s and answers
 *       the rest 429 without Retry-After, like Twenty; Sluice's budget is 18 per 5 s;</li>
 *   <li>{@code rate-limit-strict}: the same with the CRM admitting only 12 per 5 s, under Sluice's budget;</li>
 *   <li>{@code pg-down}: PostgreSQL stopped for 20 s while webhooks arrive;</li>
 *   <li>{@code duplicates}: 30 % of deliveries repeated, some at the same moment, some later with a fresh signature;</li>
 *   <li>{@code out-of-order}: each membership's lifecycle (trialing, active, canceling, canceled) delivered shuffled;</li>
 *   <li>{@code hostile}: the hostile-input corpus over and over, checking every answer and that the process's memory
 *       stays put.</li>
 * </ul>
 *
 * Each scenario reports what was sent, acknowledged, applied to the CRM, duplicated (a CRM record made twice for one
 * key), lost (acknowledged, not applied) and dead-lettered; then replays the dead letters and counts again. It passes
 * when nothing is lost, nothing is duplicated and every dead letter's replay applied it; {@code crm-outage} and the
 * rate-limit scenarios only when nothing was dead-lettered at all and everything acknowledged was applied before any
 * replay (waiting heals an outage and a rate limit by itself).
 */
public class ChaosBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    static final String SECRET = "ws_chaos" + HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(28));
    static final String TOKEN = "chaos-" + Long.toHexString(new Random().nextLong());
    /** How long the CRM answers 500 in {@code crm-outage}, before 30 s of 429 with Retry-After. */
    static final Duration OUTAGE = Duration.ofSeconds(120);
    /**
     * Sluice's Twenty budget for the rate-limit scenarios, just under the stub's 20 per rolling 5 s; and the default
     * claim timeout: a call may wait up to a minute for a permit of the budget on its thread, so an event can stay
     * claimed for longer than the run's 60 s, and would be claimed a second time while it still runs.
     */
    static final List<String> RATE_LIMIT_SETTINGS = List.of("--sluice.crm.twenty.max-requests=18", "--sluice.crm.twenty.per=5s",
            "--sluice.crm.twenty.rate-limit-wait=5s", "--sluice.inbox.claim-timeout=10m");
    static final List<Duration> WHOP_RETRIES = List.of(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
            Duration.ofSeconds(80), Duration.ofSeconds(160));

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(2); // the stubs' and senders' threads would keep a failed run alive
        }
    }

    static void run(String[] args) throws Exception {
        Path jar = Path.of(arg(args, "--jar", "target/sluice-0.1.0-SNAPSHOT.jar"));
        Path work = Path.of(arg(args, "--work", null));
        String pgUrl = arg(args, "--pg-url", null);
        String pgStop = arg(args, "--pg-stop", null);
        String pgStart = arg(args, "--pg-start", null);
        int events = Integer.parseInt(arg(args, "--events", "10000"));
        List<String> scenarios = positional(args);
        if (scenarios.isEmpty()) {
            scenarios = List.of("kill9", "crm-outage", "pg-down", "duplicates", "out-of-order", "hostile", "rate-limit",
                    "rate-limit-strict");
        }

        TwentyStub crm = new TwentyStub(Duration.ZERO);
        Sluice sluice = new Sluice(jar, work, pgUrl, crm.url(), List.of(
                // a claim whose exchange died with the database is taken up again after a minute, not ten
                "--sluice.inbox.claim-timeout=60s"));
        List<Result> results = new ArrayList<>();
        long started = System.nanoTime();
        try {
            sluice.start();
            System.out.printf(Locale.ROOT, "Sluice ready on port %d (pid %d); CRM stub at %s%n", sluice.port, sluice.pid(), crm.url());
            for (String scenario : scenarios) {
                System.out.println("== " + scenario);
                sluice.ensureSettings(scenario.startsWith("rate-limit") ? RATE_LIMIT_SETTINGS : List.of());
                Result result = switch (scenario) {
                    case "kill9" -> kill9(sluice, crm, events);
                    case "crm-outage" -> crmOutage(sluice, crm);
                    case "pg-down" -> pgDown(sluice, crm, pgStop, pgStart);
                    case "duplicates" -> duplicates(sluice, crm);
                    case "out-of-order" -> outOfOrder(sluice, crm);
                    case "hostile" -> hostile(sluice);
                    case "rate-limit" -> rateLimit(sluice, crm, "rate-limit", "rl", 20);
                    case "rate-limit-strict" -> rateLimit(sluice, crm, "rate-limit-strict", "rls", 12);
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                };
                results.add(result);
                System.out.println(result.line());
            }
            System.out.printf(Locale.ROOT, "Sluice RSS after the scenarios: %s%n", sluice.rss());
        } finally {
            sluice.stop();
            crm.stop();
        }
        System.out.println();
        System.out.println("| scenario | sent | acknowledged | applied | dead-lettered | applied after replay | duplicates | lost | time | result |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        results.forEach(r -> System.out.println(r.row()));
        System.out.printf(Locale.ROOT, "total %.0f s%n", (System.nanoTime() - started) / 1e9);
        // the senders' and the stub's threads would keep the JVM alive
        System.exit(results.stream().allMatch(Result::passed) ? 0 : 1);
    }

    // --- scenarios

    /** N activations at 16 senders; kill -9 at a quarter, a half and three quarters of them acknowledged. */
    static Result kill9(Sluice sluice, TwentyStub crm, int n) throws Exception {
        long start = System.nanoTime();
        String tag = "k9";
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            deliveries.add(Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z")));
        }
        Senders senders = new Senders(sluice, 16);
        senders.sendAll(deliveries);
        for (int quarter = 1; quarter <= 3; quarter++) {
            long target = (long) n * quarter / 4;
            while (senders.acknowledged.size() < target && !senders.done()) {
                Thread.sleep(50);
            }
            sluice.kill9();
            System.out.printf(Locale.ROOT, "  kill -9 with %d of %d acknowledged; restarting%n", senders.acknowledged.size(), n);
            sluice.start();
        }
        senders.await();
        return settle(sluice, crm, "kill9", tag, deliveries.size(), senders, start, false);
    }

    /** 1,000 activations at about 15/s while the CRM fails: 500 for 120 s, then 429 (Retry-After 5) for 30 s. */
    static Result crmOutage(Sluice sluice, TwentyStub crm) throws Exception {
        long start = System.nanoTime();
        String tag = "crm";
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            deliveries.add(Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z")));
        }
        crm.mode.set(TwentyStub.Mode.SERVER_ERROR);
        Thread faults = new Thread(() -> {
            sleep(OUTAGE);
            crm.mode.set(TwentyStub.Mode.RATE_LIMITED);
            System.out.println("  CRM: 429 with Retry-After");
            sleep(Duration.ofSeconds(30));
            crm.mode.set(TwentyStub.Mode.HEALTHY);
            System.out.println("  CRM: healthy");
        });
        System.out.println("  CRM: 500");
        QueueWatch watch = new QueueWatch(sluice, crm);
        faults.start();
        Senders senders = new Senders(sluice, 4);
        senders.sendPaced(deliveries, Duration.ofMillis(66));
        senders.await();
        faults.join();
        long healthy = System.nanoTime();
        Result result = settle(sluice, crm, "crm-outage", tag, deliveries.size(), senders, start, true);
        watch.stop();
        System.out.printf(Locale.ROOT, "  %s; the last opportunity written %.0f s after the CRM was healthy%n", watch,
                (watch.lastWrite - healthy) / 1e9);
        return result;
    }

    /**
     * A burst of 300 activations from 8 senders at once at a CRM that admits {@code stubMax} calls in any rolling 5 s
     * and answers the rest 429 without Retry-After (like Twenty), while Sluice's budget is 18 per 5 s
     * ({@link #RATE_LIMIT_SETTINGS}). Reports the 429s the stub answered and the most calls it saw in any 5 s.
     */
    static Result rateLimit(Sluice sluice, TwentyStub crm, String name, String tag, int stubMax) throws Exception {
        long start = System.nanoTime();
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            deliveries.add(Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z")));
        }
        Map<String, Double> callsBefore = crmCalls(sluice);
        crm.limit(stubMax, Duration.ofSeconds(5));
        QueueWatch watch = new QueueWatch(sluice, crm);
        try {
            Senders senders = new Senders(sluice, 8);
            senders.sendAll(deliveries);
            senders.await();
            Result result = settle(sluice, crm, name, tag, deliveries.size(), senders, start, true);
            watch.stop();
            System.out.println("  " + watch);
            System.out.printf(Locale.ROOT, "  CRM stub (%d calls in any rolling 5 s; Sluice's budget 18 per 5 s): %d calls, %d answered 429, "
                    + "busiest 5 s window %d calls, %d calls arrived with more than 18 in the 5 s up to them; opportunities written "
                    + "again with the same content: %d%n", stubMax, crm.arrivals().size(), crm.rateLimited.get(), crm.busiestWindow(),
                    crm.beyond(18), crm.rewrites(tag));
            Map<String, Double> calls = crmCalls(sluice);
            callsBefore.forEach((k, v) -> calls.merge(k, -v, Double::sum));
            System.out.println("  Sluice's count of its Twenty calls in the scenario (crm_requests_total by outcome): " + calls);
            if (System.getenv("CHAOS_TRACE") != null) {
                long t0 = crm.arrivals().get(0).nanos();
                StringBuilder trace = new StringBuilder();
                crm.arrivals().forEach(a -> trace.append(String.format(Locale.ROOT, "%.3f %s %d %s%n", (a.nanos() - t0) / 1e9, a.path(),
                        a.records(), a.admitted() ? "ok" : "429")));
                Path file = Path.of(System.getenv("CHAOS_TRACE") + "-" + name + ".txt");
                Files.writeString(file, trace);
                System.out.println("  calls the stub saw: " + file);
            }
            return result.withCheck(crm.rewrites(tag) == 0, "a change was written again: " + crm.rewrites(tag) + " rewrites");
        } finally {
            crm.limit(0, Duration.ofSeconds(5));
        }
    }

    /** 1,000 activations at about 25/s; PostgreSQL stopped from 10 s to 30 s into the run. */
    static Result pgDown(Sluice sluice, TwentyStub crm, String stop, String start) throws Exception {
        long begin = System.nanoTime();
        String tag = "pg";
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            deliveries.add(Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z")));
        }
        AtomicLong unavailable = new AtomicLong();
        Thread faults = new Thread(() -> {
            sleep(Duration.ofSeconds(10));
            shell(stop);
            System.out.println("  PostgreSQL stopped");
            sleep(Duration.ofSeconds(20));
            shell(start);
            System.out.println("  PostgreSQL started");
        });
        faults.start();
        Senders senders = new Senders(sluice, 8);
        senders.onStatus = status -> {
            if (status == 503) {
                unavailable.incrementAndGet();
            }
        };
        senders.sendPaced(deliveries, Duration.ofMillis(40));
        senders.await();
        faults.join();
        System.out.printf(Locale.ROOT, "  503 answers while PostgreSQL was down: %d (each retried as Whop would)%n", unavailable.get());
        return settle(sluice, crm, "pg-down", tag, deliveries.size(), senders, begin, false);
    }

    /** 2,000 distinct deliveries; 10 % sent twice at the same moment, 20 % sent again 1-5 s later, freshly signed. */
    static Result duplicates(Sluice sluice, TwentyStub crm) throws Exception {
        long start = System.nanoTime();
        String tag = "dup";
        Random random = new Random(7);
        List<Delivery> originals = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            originals.add(Delivery.of(tag, i, "active", false, Instant.parse("2026-01-01T00:00:00Z")));
        }
        List<Delivery> all = new ArrayList<>(originals);
        List<Delivery> later = new ArrayList<>();
        for (Delivery d : originals) {
            double r = random.nextDouble();
            if (r < 0.10) {
                all.add(d); // sent twice by the concurrent senders, likely at once
            } else if (r < 0.30) {
                later.add(d);
            }
        }
        Collections.shuffle(all, random);
        Senders senders = new Senders(sluice, 16);
        senders.sendAll(all);
        senders.await();
        Thread.sleep(1000 + random.nextInt(4000));
        senders.sendAll(later);
        senders.await();
        long duplicateAnswers = senders.statuses.getOrDefault(200, new AtomicLong()).get();
        System.out.printf(Locale.ROOT, "  %d deliveries, %d of them repeats; answered 200 duplicate: %d%n", all.size() + later.size(),
                all.size() + later.size() - originals.size(), duplicateAnswers);
        Result result = settle(sluice, crm, "duplicates", tag, all.size() + later.size(), senders, start, false);
        return result.withCheck(crm.rewrites(tag) == 0, "a repeat was processed again: " + crm.rewrites(tag) + " rewrites");
    }

    /** 300 memberships, each trialing, active, canceling and canceled (an hour apart), all 1,200 deliveries shuffled. */
    static Result outOfOrder(Sluice sluice, TwentyStub crm) throws Exception {
        long start = System.nanoTime();
        String tag = "ooo";
        Random random = new Random(11);
        List<Delivery> all = new ArrayList<>();
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < 300; i++) {
            all.add(Delivery.of(tag, i, "trialing", false, t0));
            all.add(Delivery.of(tag, i, "active", false, t0.plusSeconds(3600)));
            all.add(Delivery.of(tag, i, "active", true, t0.plusSeconds(7200)));
            all.add(Delivery.of(tag, i, "canceled", false, t0.plusSeconds(10800)));
        }
        Collections.shuffle(all, random);
        Senders senders = new Senders(sluice, 16);
        senders.sendAll(all);
        senders.await();
        Result result = settle(sluice, crm, "out-of-order", tag, all.size(), senders, start, false);
        long wrong = crm.finalStages(tag).values().stream().filter(stage -> !"LOST".equals(stage)).count();
        System.out.printf(Locale.ROOT, "  memberships whose final stage is not the newest change's (LOST): %d of 300%n", wrong);
        return result.withCheck(wrong == 0, wrong + " memberships ended in an older state");
    }

    /**
     * The hostile-input corpus of the test suite, over and over for a minute: forged signatures, invalid UTF-8, JSON
     * nested 10,000 deep, 100 MB bodies (declared and streamed), 200 KB headers, form bodies. Every answer must be the
     * documented 4xx (docs/operations.md), nothing may be stored, and the process's RSS after a second minute of it must stay within 64 MiB of
     * its RSS after the first (a leak would keep growing; the first minute lets the heap reach its working size).
     */
    static Result hostile(Sluice sluice) throws Exception {
        long start = System.nanoTime();
        long events = admin(sluice, "GET", "/api/status").path("queue").path("pending").asLong();
        Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
        long before = sluice.rssMib();
        long firstMinute = 0;
        long sent = 0;
        for (int minute = 0; minute < 2; minute++) {
            long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < end) {
                for (Hostile.Case c : Hostile.corpus()) {
                    int status = c.send(sluice.port);
                    answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                    sent++;
                    if (status >= 500 || status == 0 || (status >= 200 && status < 300)) {
                        System.out.printf(Locale.ROOT, "  %s answered %d%n", c.name(), status);
                    }
                }
            }
            if (minute == 0) {
                firstMinute = sluice.rssMib();
            }
        }
        long after = sluice.rssMib();
        long wrong = answers.entrySet().stream().filter(e -> e.getKey() >= 500 || e.getKey() < 400).mapToLong(e -> e.getValue().get()).sum();
        long stored = admin(sluice, "GET", "/api/status").path("queue").path("pending").asLong() - events;
        System.out.printf(Locale.ROOT, "  %d hostile requests, answers %s; RSS %d MiB before, %d after one minute, %d after two%n", sent,
                new java.util.TreeMap<>(answers), before, firstMinute, after);
        Result result = new Result("hostile", sent, 0, 0, 0, 0, 0, 0, (System.nanoTime() - start) / 1e9, true, null);
        return result.withCheck(wrong == 0, wrong + " answers outside 4xx").withCheck(stored <= 0, stored + " events stored")
                .withCheck(after - firstMinute <= 64, "RSS grew by " + (after - firstMinute) + " MiB in the second minute");
    }

    /**
     * Waits until the inbox is empty, counts, replays the scenario's dead letters, waits again, counts again. The
     * expected number of applied memberships is the distinct memberships among the acknowledged deliveries. With
     * {@code withoutReplay} (a fault that waiting heals) it passes only if nothing was dead-lettered and every
     * acknowledged membership was applied before the replay; the replay then only reports.
     */
    static Result settle(Sluice sluice, TwentyStub crm, String name, String tag, int sent, Senders senders, long start,
                         boolean withoutReplay) throws Exception {
        String idle = awaitIdle(sluice);
        Set<String> acknowledgedMemberships = senders.acknowledgedMemberships();
        long applied = crm.applied(tag, acknowledgedMemberships);
        List<Long> dead = deadLetters(sluice, "msg_" + tag + "_");
        System.out.printf(Locale.ROOT, "  settled: %d acknowledged (%d memberships), %d applied, %d dead letters%s%n",
                senders.acknowledged.size(), acknowledgedMemberships.size(), applied, dead.size(), idle == null ? "" : " (" + idle + ")");
        if (withoutReplay && applied < acknowledgedMemberships.size()) {
            reportMissing(sluice, crm, senders, acknowledgedMemberships);
        }
        if (!dead.isEmpty()) {
            reportDeadLetters(sluice, dead);
            for (long id : dead) {
                admin(sluice, "POST", "/api/dead-letters/" + id + "/replay");
            }
            awaitIdle(sluice);
        }
        long appliedAfter = crm.applied(tag, acknowledgedMemberships);
        long deadAfter = deadLetters(sluice, "msg_" + tag + "_").size();
        long lost = acknowledgedMemberships.size() - appliedAfter;
        boolean passed = lost == 0 && crm.duplicates(tag) == 0 && deadAfter == 0 && senders.acknowledged.size() == senders.distinctIds();
        Result result = new Result(name, sent, senders.acknowledged.size(), applied, crm.duplicates(tag), dead.size(), appliedAfter, lost,
                (System.nanoTime() - start) / 1e9, passed, deadAfter == 0 ? null : deadAfter + " dead letters left after the replay");
        if (withoutReplay) {
            result = result.withCheck(dead.isEmpty(), dead.size() + " dead letters (waiting should have healed them)")
                    .withCheck(applied == acknowledgedMemberships.size(), (acknowledgedMemberships.size() - applied)
                            + " acknowledged memberships not applied before the replay");
        }
        return result.withCheck(idle == null, idle);
    }

    /** Waits until nothing is pending, waiting or processing for 3 s in a row; null, or why it gave up after 8 min. */
    static String awaitIdle(Sluice sluice) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        int quiet = 0;
        JsonNode queue = null;
        while (quiet < 3) {
            if (System.nanoTime() >= deadline) {
                return "not idle after 8 min: queue " + queue;
            }
            Thread.sleep(1000);
            queue = admin(sluice, "GET", "/api/status").path("queue");
            quiet = queue.path("pending").asLong() == 0 && queue.path("waiting").asLong() == 0
                    && queue.path("processing").asLong() == 0 ? quiet + 1 : 0;
        }
        return null;
    }

    /** Sluice's {@code crm_requests_total} for Twenty, summed by outcome. */
    static Map<String, Double> crmCalls(Sluice sluice) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> byOutcome = new java.util.TreeMap<>();
        Matcher outcome = Pattern.compile("outcome=\"([^\"]*)\"").matcher("");
        for (String line : response.body().split("\n")) {
            if (line.startsWith("crm_requests_total{") && line.contains("provider=\"twenty\"") && outcome.reset(line).find()) {
                byOutcome.merge(outcome.group(1), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return byOutcome;
    }

    /** The first few dead letters with their event's history: evidence for a fault that should have waited. */
    static void reportDeadLetters(Sluice sluice, List<Long> dead) throws Exception {
        JsonNode page = admin(sluice, "GET", "/api/dead-letters?limit=500");
        int shown = 0;
        for (JsonNode item : page.path("items")) {
            if (dead.contains(item.path("id").asLong()) && shown++ < 3) {
                System.out.println("  dead letter " + item);
                System.out.println("    event " + admin(sluice, "GET", "/api/events/" + item.path("eventId").asText()));
            }
        }
    }

    /** A few acknowledged memberships the CRM lacks, with their events' state in Sluice. */
    static void reportMissing(Sluice sluice, TwentyStub crm, Senders senders, Set<String> acknowledgedMemberships) throws Exception {
        int shown = 0;
        for (String id : senders.acknowledged) {
            String membership = senders.membershipOf.get(id);
            if (!crm.opportunityIds.containsKey(membership) && shown++ < 3) {
                System.out.println("  not applied: " + id + " " + admin(sluice, "GET", "/api/events/" + id));
            }
        }
    }

    static List<Long> deadLetters(Sluice sluice, String eventPrefix) throws Exception {
        List<Long> ids = new ArrayList<>();
        String before = null;
        do {
            JsonNode page = admin(sluice, "GET", "/api/dead-letters?limit=500" + (before == null ? "" : "&before=" + before));
            for (JsonNode item : page.path("items")) {
                if (item.path("eventId").asText().startsWith(eventPrefix)) { // the list holds open dead letters only
                    ids.add(item.path("id").asLong());
                }
            }
            before = page.path("next").isNull() ? null : page.path("next").asText();
        } while (before != null);
        return ids;
    }

    // --- the pieces

    /** One delivery: a membership webhook with its id; the same object sent again is the same delivery. */
    record Delivery(String id, String membershipId, byte[] body) {

        static Delivery of(String tag, int i, String status, boolean cancelAtPeriodEnd, Instant updatedAt) {
            String membership = "mem_" + tag + "_" + i;
            String id = "msg_" + tag + "_" + i + "_" + updatedAt.getEpochSecond() + (cancelAtPeriodEnd ? "c" : "");
            String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"" + updatedAt + "\",\"type\":\"membership.updated\","
                    + "\"company_id\":\"biz_Xa1b2C3d4E5f6G\",\"data\":{\"id\":\"" + membership + "\",\"status\":\"" + status + "\","
                    + "\"cancel_at_period_end\":" + cancelAtPeriodEnd + ",\"created_at\":\"2026-01-01T00:00:00.000Z\",\"currency\":\"usd\","
                    + "\"plan\":{\"id\":\"plan_V4b5N6m7A8s9D0\",\"renewal_price\":49,\"initial_price\":49},"
                    + "\"product\":{\"id\":\"prod_H7j8K9l0Z1x2C3\",\"title\":\"Acme Pro\"},\"renewal_period_end\":\"2026-02-01T00:00:00.000Z\","
                    + "\"updated_at\":\"" + updatedAt + "\",\"user\":{\"id\":\"user_" + tag + "_" + i + "\",\"email\":\"" + tag + "-" + i
                    + "@example.com\",\"name\":\"Chaos Person" + i + "\",\"username\":\"chaos" + i + "\"}}}";
            return new Delivery(id, membership, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Samples {@code GET /api/status} every second: the most events waiting at once; and the last CRM write. */
    static final class QueueWatch {
        final Thread thread;
        volatile boolean running = true;
        long peakWaiting;
        long peakPending;
        long oldestWait;
        volatile long lastWrite = System.nanoTime();
        final TwentyStub crm;

        QueueWatch(Sluice sluice, TwentyStub crm) {
            this.crm = crm;
            crm.onOpportunity = (membership, nanos) -> lastWrite = nanos;
            thread = new Thread(() -> {
                while (running) {
                    try {
                        JsonNode queue = admin(sluice, "GET", "/api/status").path("queue");
                        synchronized (this) {
                            peakWaiting = Math.max(peakWaiting, queue.path("waiting").asLong());
                            peakPending = Math.max(peakPending, queue.path("pending").asLong());
                            oldestWait = Math.max(oldestWait, queue.path("oldestWaitSeconds").asLong());
                        }
                    } catch (Exception e) {
                        // Sluice busy or restarting: the next sample counts
                    }
                    sleep(Duration.ofSeconds(1));
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            crm.onOpportunity = (membership, nanos) -> { };
        }

        @Override
        public synchronized String toString() {
            return String.format(Locale.ROOT, "queue at most %d waiting, %d pending; oldest unfinished event %d s old", peakWaiting,
                    peakPending, oldestWait);
        }
    }

    /** Concurrent senders that retry like Whop until a delivery is acknowledged or Whop would give up. */
    static final class Senders {
        final Sluice sluice;
        final ExecutorService pool;
        final List<Future<?>> running = Collections.synchronizedList(new ArrayList<>());
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Map<String, String> membershipOf = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        volatile java.util.function.IntConsumer onStatus = s -> { };

        Senders(Sluice sluice, int concurrency) {
            this.sluice = sluice;
            this.pool = Executors.newFixedThreadPool(concurrency);
        }

        void sendAll(List<Delivery> deliveries) {
            for (Delivery d : deliveries) {
                membershipOf.put(d.id(), d.membershipId());
                running.add(pool.submit(() -> deliver(d)));
            }
        }

        void sendPaced(List<Delivery> deliveries, Duration gap) throws InterruptedException {
            for (Delivery d : deliveries) {
                membershipOf.put(d.id(), d.membershipId());
                running.add(pool.submit(() -> deliver(d)));
                Thread.sleep(gap.toMillis());
            }
        }

        boolean done() {
            synchronized (running) {
                return running.stream().allMatch(Future::isDone);
            }
        }

        void await() throws Exception {
            List<Future<?>> copy;
            synchronized (running) {
                copy = new ArrayList<>(running);
            }
            for (Future<?> f : copy) {
                f.get();
            }
        }

        int distinctIds() {
            return membershipOf.size();
        }

        Set<String> acknowledgedMemberships() {
            Set<String> memberships = new java.util.HashSet<>();
            acknowledged.forEach(id -> memberships.add(membershipOf.get(id)));
            return memberships;
        }

        private void deliver(Delivery d) {
            for (int attempt = 0; ; attempt++) {
                int status = post(d);
                statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                onStatus.accept(status);
                if (status == 200 || status == 202) {
                    acknowledged.add(d.id());
                    return;
                }
                if (attempt >= WHOP_RETRIES.size()) {
                    System.out.printf(Locale.ROOT, "  %s given up after %d attempts (last status %d)%n", d.id(), attempt + 1, status);
                    return;
                }
                sleep(WHOP_RETRIES.get(attempt));
            }
        }

        private int post(Delivery d) {
            long now = Instant.now().getEpochSecond();
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port + "/webhooks/whop"))
                        .timeout(Duration.ofSeconds(15)).header("content-type", "application/json").header("webhook-id", d.id())
                        .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", sign(d.id(), now, d.body()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(d.body())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return 0; // refused, reset or timed out: the sender cannot know, so it sends again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    /** Sluice from the jar, as its own process, writing to a Twenty at {@code crmUrl}; on H2 when {@code pgUrl} is null. */
    static final class Sluice {
        final Path jar;
        final Path work;
        final String pgUrl;
        final String crmUrl;
        final List<String> extra;
        /** Settings of the current scenario, over {@link #extra}: see {@link #ensureSettings}. */
        List<String> scenario = List.of();
        final int port = freePort();
        /** The JVM's -Xmx. */
        String heap = "512m";
        /** More JVM options (a collector, say), before -jar. */
        List<String> jvmOptions = List.of();
        Process process;
        double startSeconds;

        Sluice(Path jar, Path work, String pgUrl, String crmUrl, List<String> extra) {
            this.jar = jar;
            this.work = work;
            this.pgUrl = pgUrl;
            this.crmUrl = crmUrl;
            this.extra = extra;
        }

        void start() throws Exception {
            Map<String, String> properties = new java.util.LinkedHashMap<>();
            properties.put("server.port", Integer.toString(port));
            properties.put("sluice.data-dir", work.resolve("data").toString());
            properties.put("sluice.routes.reload", "false");
            properties.put("sluice.whop.webhook-secrets", SECRET);
            properties.put("sluice.admin.token", TOKEN);
            properties.put("sluice.webhook.max-rps", "100000");
            properties.put("sluice.crm.provider", "twenty");
            properties.put("sluice.crm.twenty.base-url", crmUrl);
            properties.put("sluice.crm.twenty.api-key", "bench");
            properties.put("sluice.crm.twenty.max-requests", "100000");
            properties.put("sluice.crm.twenty.per", "1s");
            properties.put("sluice.inbox.consumers", "8");
            properties.put("sluice.ai.enrich-on", "");
            properties.put("logging.level.io.sluice", "WARN");
            if (pgUrl != null) {
                properties.put("spring.datasource.url", pgUrl);
                properties.put("spring.datasource.username", "postgres");
                // a shared database needs the key given: a fixed bench value, not a secret
                properties.put("sluice.encryption-key", "c2x1aWNlLXRlc3Qta2V5LW5vdC1hLXNlY3JldC0wMDE=");
            }
            List<String> overrides = new ArrayList<>(extra);
            overrides.addAll(scenario);
            for (String override : overrides) { // --name=value, winning over the defaults above
                int eq = override.indexOf('=');
                properties.put(override.substring(2, eq), override.substring(eq + 1));
            }
            List<String> command = new ArrayList<>(List.of("java", "-Xmx" + heap));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            properties.forEach((name, value) -> command.add("--" + name + "=" + value));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("sluice.log").toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long begin = System.nanoTime();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Sluice exited while starting; see " + work.resolve("sluice.log"));
                }
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        startSeconds = (System.nanoTime() - begin) / 1e9;
                        System.out.printf(Locale.ROOT, "  Sluice ready in %.1f s%n", startSeconds);
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("Sluice did not become ready in 120 s");
        }

        /** Restarts Sluice with a scenario's own settings when they differ from the running ones. */
        void ensureSettings(List<String> settings) throws Exception {
            if (settings.equals(scenario)) {
                return;
            }
            stop();
            scenario = List.copyOf(settings);
            System.out.println("  restarting Sluice with " + (settings.isEmpty() ? "the run's settings" : String.join(" ", settings)));
            start();
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                process.waitFor();
            }
        }

        long pid() {
            return process.pid();
        }

        long rssMib() {
            return statusMib("VmRSS");
        }

        /** The highest RSS the process has had (the kernel's high-water mark). */
        long peakRssMib() {
            return statusMib("VmHWM");
        }

        private long statusMib(String field) {
            try {
                String status = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
                Matcher m = Pattern.compile(field + ":\\s+(\\d+) kB").matcher(status);
                return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
            } catch (IOException e) {
                return -1;
            }
        }

        String rss() {
            try {
                String status = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
                Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
                return m.find() ? Long.parseLong(m.group(1)) / 1024 + " MiB" : "?";
            } catch (IOException e) {
                return "?";
            }
        }
    }

    /**
     * A scenario's outcome. {@code applied}: distinct memberships in the CRM once Sluice was idle; {@code deadLettered}:
     * the scenario's dead letters then, all replayed; {@code appliedAfterReplay}; {@code lost}: acknowledged memberships
     * still missing after the replay.
     */
    record Result(String name, long sent, long acknowledged, long applied, long duplicates, long deadLettered, long appliedAfterReplay,
                  long lost, double seconds, boolean passed, String failure) {

        Result withCheck(boolean ok, String why) {
            return ok ? this : new Result(name, sent, acknowledged, applied, duplicates, deadLettered, appliedAfterReplay, lost, seconds,
                    false, failure == null ? why : failure + "; " + why);
        }

        String line() {
            return String.format(Locale.ROOT, "  %s: sent %d, acknowledged %d, applied %d, dead-lettered %d, applied after replay %d, "
                    + "duplicates %d, lost %d; %.0f s -> %s%s", name, sent, acknowledged, applied, deadLettered, appliedAfterReplay,
                    duplicates, lost, seconds, passed ? "PASS" : "FAIL", failure == null ? "" : " (" + failure + ")");
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %d | %d | %.0f s | %s |", name, sent, acknowledged,
                    applied, deadLettered, appliedAfterReplay, duplicates, lost, seconds, passed ? "pass" : "FAIL");
        }
    }

    // --- helpers

    static String sign(String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode admin(Sluice sluice, String method, String path) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port + path))
                        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody())
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() >= 500 && attempt < 30) {
                    Thread.sleep(1000);
                    continue;
                }
                return JSON.readTree(response.body());
            } catch (IOException e) {
                if (attempt >= 30) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    static void shell(String command) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("command failed: " + command);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
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

    static List<String> positional(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                i++;
            } else {
                rest.add(args[i]);
            }
        }
        return rest;
    }
}
