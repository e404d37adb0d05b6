import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Backfill throughput against its ceiling (docs/performance.md): Sluice from the jar as its own process, with a Whop
 * API key pointed at a {@link WhopStub} holding N members and N memberships, writing to a {@link TwentyStub}. On start
 * Sluice runs a full sync; the bench times it from ready until the sync completed and every pulled record is applied
 * (the inbox holds nothing more to write), and compares the rate with
 * the ceiling the two budgets allow: Whop at {@code --whop-rps} pages of 100 a second, Twenty at {@code --crm-rps}
 * calls a second, each call a batch of up to 60 records of one kind (a member is one person upsert; a membership a
 * person and an opportunity upsert).
 *
 * java -cp <jackson>:<classes> BackfillBench --jar target/sluice-*.jar --work DIR [--pg-url URL] [--records 3000]
 *      [--whop-rps 5] [--crm-rps 10] [--label name] [--heap 512m] [--jvm-options '-XX:+UseSerialGC']
 */
public class BackfillBench {

    private static final int PAGE = 100;
    private static final int BATCH = 60;

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
        int records = Integer.parseInt(ChaosBench.arg(args, "--records", "3000"));
        int whopRps = Integer.parseInt(ChaosBench.arg(args, "--whop-rps", "5"));
        int crmRps = Integer.parseInt(ChaosBench.arg(args, "--crm-rps", "10"));
        String label = ChaosBench.arg(args, "--label", pgUrl.isEmpty() ? "h2" : "postgres");

        WhopStub whop = new WhopStub(records);
        TwentyStub crm = new TwentyStub(Duration.ZERO);
        ChaosBench.Sluice sluice = new ChaosBench.Sluice(jar, work, pgUrl.isEmpty() ? null : pgUrl, crm.url(), List.of(
                "--sluice.whop.api-key=" + WhopStub.KEY, "--sluice.whop.company-id=" + WhopStub.COMPANY,
                "--sluice.whop.api-base-url=" + whop.baseUrl(), "--sluice.whop.api.max-requests-per-second=" + whopRps,
                "--sluice.whop.api.page-size=" + PAGE, "--sluice.crm.twenty.max-requests=" + crmRps, "--sluice.crm.twenty.per=1s"));
        sluice.heap = ChaosBench.arg(args, "--heap", "512m");
        String jvmOptions = ChaosBench.arg(args, "--jvm-options", "");
        sluice.jvmOptions = jvmOptions.isBlank() ? List.of() : List.of(jvmOptions.trim().split("\\s+"));
        int exit = 1;
        try {
            sluice.start();
            long readyRss = sluice.rssMib();
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(15).toNanos();
            while ((crm.opportunities() < records || crm.people() < records) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            // done when every pulled record is applied, not when the CRM first holds everyone: the sync has finished and
            // the inbox holds nothing more to write (the stub's members are as new as their memberships, so each
            // member's person is written again after its membership's: the 50 calls the ceiling counts for members)
            JsonNode status = ChaosBench.admin(sluice, "GET", "/api/status");
            while (!finished(status) && System.nanoTime() < deadline) {
                Thread.sleep(500); // the status's counts are work for the database too, with a large backlog
                status = ChaosBench.admin(sluice, "GET", "/api/status");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            JsonNode sync = status.path("lastSync");

            long pulled = 2L * records;
            double whopSeconds = Math.ceil((double) records / PAGE) * 2 / whopRps;
            double crmCalls = Math.ceil((double) records / BATCH) * 3; // members: people; memberships: people + opportunities
            double crmSeconds = crmCalls / crmRps;
            double ceiling = pulled / Math.max(whopSeconds, crmSeconds);
            System.out.printf(Locale.ROOT, "[%s] %d records (%d members, %d memberships) from %d Whop pages into the CRM in %.1f s: "
                            + "%.0f records/s; ceiling %.0f records/s (Whop %d pages/s: %.0f s, CRM %d calls/s of %d: %.0f s) = %.0f %%%n",
                    label, pulled, records, records, whop.pages.get(), seconds, pulled / seconds, ceiling, whopRps, whopSeconds, crmRps,
                    BATCH, crmSeconds, 100 * (pulled / seconds) / ceiling);
            System.out.printf(Locale.ROOT, "[%s] CRM calls %d carrying %d records (%.1f per call); people %d, opportunities %d; "
                            + "last sync %s %s; -Xmx%s, RSS %d MiB at ready, %d MiB at most, %d MiB after (JVM options: %s)%n", label, crm.calls.get(),
                    crm.recordsWritten.get(), (double) crm.recordsWritten.get() / Math.max(1, crm.calls.get()), crm.people(),
                    crm.opportunities(), sync.path("mode").asText(), sync.path("status").asText(), sluice.heap, readyRss,
                    sluice.peakRssMib(), sluice.rssMib(), jvmOptions.isBlank() ? "none" : jvmOptions);
            timeline(start, whop, crm, crmRps, records, Math.max(whopSeconds, crmSeconds));
            exit = crm.opportunities() == records && crm.people() == records && finished(status)
                    && "COMPLETED".equals(sync.path("status").asText()) ? 0 : 1;
        } finally {
            sluice.stop();
            crm.stop();
            whop.stop();
        }
        System.exit(exit);
    }

    /** The last sync ended (completed, or failed: the exit status tells) and no event waits to be written. */
    static boolean finished(JsonNode status) {
        JsonNode queue = status.path("queue");
        return !java.util.Set.of("RUNNING", "PAUSED", "WAITING", "").contains(status.path("lastSync").path("status").asText())
                && queue.path("pending").asLong(-1) == 0 && queue.path("processing").asLong(-1) == 0 && queue.path("waiting").asLong(-1) == 0;
    }

    /**
     * Where the time went, from ready: when the Whop pages came (memberships, then members) and the CRM calls (people,
     * opportunities), the calls in each second, and when the last call could be at best: no call can go before the first
     * page, and from then on the CRM's budget paces them.
     */
    static void timeline(long start, WhopStub whop, TwentyStub crm, int crmRps, int records, double ceilingSeconds) {
        List<long[]> pages = new java.util.ArrayList<>(whop.pageTimes);
        List<long[]> writes = new java.util.ArrayList<>(crm.writes);
        writes.sort(java.util.Comparator.comparingLong(w -> w[0]));
        if (pages.isEmpty() || writes.isEmpty()) {
            return;
        }
        java.util.function.LongFunction<String> at = nanos -> String.format(Locale.ROOT, "%.1f", (nanos - start) / 1e9);
        long firstMemberships = pages.stream().filter(p -> p[1] == 1).mapToLong(p -> p[0]).min().orElse(0);
        long lastMemberships = pages.stream().filter(p -> p[1] == 1).mapToLong(p -> p[0]).max().orElse(0);
        long firstMembers = pages.stream().filter(p -> p[1] == 0).mapToLong(p -> p[0]).min().orElse(0);
        long lastMembers = pages.stream().filter(p -> p[1] == 0).mapToLong(p -> p[0]).max().orElse(0);
        long firstPage = pages.stream().mapToLong(p -> p[0]).min().orElse(0);
        long firstCall = writes.get(0)[0];
        long lastCall = writes.get(writes.size() - 1)[0];
        System.out.printf(Locale.ROOT, "[timeline] s from ready: Whop memberships pages %s-%s, members %s-%s; CRM calls %s-%s "
                        + "(%d calls in %.1f s: %.1f/s)%n", at.apply(firstMemberships), at.apply(lastMemberships), at.apply(firstMembers),
                at.apply(lastMembers), at.apply(firstCall), at.apply(lastCall), writes.size(), (lastCall - firstCall) / 1e9,
                (writes.size() - 1) / Math.max(1e-9, (lastCall - firstCall) / 1e9));
        StringBuilder perSecond = new StringBuilder();
        int seconds = (int) ((lastCall - firstCall) / 1_000_000_000L) + 1;
        int[] people = new int[seconds];
        int[] others = new int[seconds];
        for (long[] w : writes) {
            int s = (int) ((w[0] - firstCall) / 1_000_000_000L);
            if (w[1] == 0) {
                people[s]++;
            } else {
                others[s]++;
            }
        }
        for (int s = 0; s < seconds; s++) {
            perSecond.append(s == 0 ? "" : " ").append(people[s]).append('+').append(others[s]);
        }
        System.out.println("[timeline] CRM calls in each second from the first (people+opportunities): " + perSecond);
        // a call that carries less than a full batch costs a call of the budget: when they came and how full they were
        StringBuilder partial = new StringBuilder();
        for (long[] w : writes) {
            if (w[2] < BATCH) {
                partial.append(partial.isEmpty() ? "" : ", ").append(at.apply(w[0])).append(" s ")
                        .append(w[1] == 0 ? "people " : "opportunities ").append(w[2]);
            }
        }
        System.out.println("[timeline] calls with less than " + BATCH + " records: " + (partial.isEmpty() ? "none" : partial));
        // no call before the first page; from then on the budget paces them
        double bound = (firstPage - start) / 1e9 + Math.ceil((double) records / BATCH) * 3 / crmRps;
        System.out.printf(Locale.ROOT, "[timeline] with the CRM at its budget from the first page on, the last call would be "
                + "at %.1f s: %.0f %% of the ceiling at best%n", bound, 100 * ceilingSeconds / bound);
    }
}
