package io.sluice.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.support.Crms;
import io.sluice.support.TwentyRecordings;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopApiStub;
import io.sluice.support.WhopSyncTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Property: for random sets and interleavings of membership, member and payment changes of a few people (random
 * names, one-word, three-word, blank and missing ones among them; random distinct source times; random membership
 * statuses and payment outcomes), writing them as one backfill batch ({@link io.sluice.crm.twenty.TwentyBatchWriter}
 * with {@link BatchedObjects}) leaves Twenty in the same state as sending the same changes one by one as webhooks in
 * source-time order ({@code TwentyConnector.apply}). Compared per person: first name, last name, whopUserId; per
 * opportunity: stage and which person is its point of contact; per note: existence, title, body, and which person
 * and opportunity it is linked to; per change: its outcome (DONE, or STALE when Twenty already held a newer one).
 * In a third of the trials Twenty already holds some of the changes before that, delivered as webhooks in random
 * order, the same way in both runs: the batch then meets remembered versions (stale guards: often a newer version of
 * a record whose older one the batch brings), notes waiting for their opportunity, and now and then a change it
 * brings again (already applied: nothing written), as the one-by-one run does.
 *
 * <p>How the two runs are made:
 * <ul>
 *   <li>Batch: the records are served by the WireMock Whop API and pulled by full backfills while the crm target is
 *   paused, so that every pulled change reaches the inbox first and goes to Twenty as one batch (asserted: each is
 *   completed by the batch path, none retried alone, and each object kind takes one call at most). Some trials run
 *   two backfills before the pause is lifted, the second listing some records again in a newer version and some
 *   records for the first time, so one batch can also hold two versions of one membership or payment.</li>
 *   <li>One by one: every version the batch run pulled is sent as a signed webhook through {@code /webhooks/whop},
 *   in source-time order, each awaited until applied (DONE, or STALE) before the next is sent. The webhooks carry the types the pulled
 *   records get ({@code membership.synced}, {@code member.synced}, {@code payment.synced}): Whop itself sends
 *   {@code membership.activated} or {@code payment.succeeded}, which the Twenty mapping maps to the same person and
 *   opportunity but titles a payment's note differently ("Payment succeeded: ..." instead of "Payment: ..."), and it
 *   sends no member webhook the mapping maps. With the pulled types both runs carry exactly the same changes, and
 *   members take part in both; the only difference is the delivery: one batch versus the single-event path.</li>
 * </ul>
 *
 * <p>The Twenty stand-in ({@link StatefulTwenty}) keeps people by primary email and opportunities, notes and
 * noteTargets by id, and answers the batch upserts in Twenty 2.21's envelope ({@code data.create<Plural>}, records in
 * request order). It refuses, as Twenty 2.21 does, a batch naming one key twice, an unknown field, an unknown stage
 * and a reference to a person, opportunity or note it does not hold (a foreign-key violation). Assumed, not recorded:
 * a sent composite {@code name} replaces only the sub-fields it contains (a new person's missing sub-field is empty
 * text), and every other sent field replaces the stored value.
 *
 * <p>Each run prints its seeds; {@code -Dtwenty.equivalence.seed=<seed>} runs that one case again,
 * {@code -Dtwenty.equivalence.base=<n>} draws another set of cases,
 * {@code -Dtwenty.equivalence.trials=<n>} runs another number of trials (about two seconds each; the default is 16).
 */
@TestPropertySource(properties = {"sluice.crm.provider=twenty", "sluice.crm.twenty.api-key=" + TwentyBatchEquivalenceTest.KEY,
        "sluice.crm.twenty.max-requests=1000", "sluice.crm.twenty.per=1s"})
class TwentyBatchEquivalenceTest extends WhopSyncTestBase {

    static final String KEY = "twenty-equivalence-key";
    private static final StatefulTwenty STAND_IN = new StatefulTwenty();
    private static final WireMockServer TWENTY = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(STAND_IN));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What one run leaves behind that the next must not see (SluiceTestBase empties these before each test). */
    private static final String[] RUN_TABLES = {"event_history", "event_log", "camel_messageprocessed", "dead_letter",
            "whop_sync_item", "whop_sync_progress", "whop_sync_run", "whop_sync_watermark", "pause",
            "crm_write_version", "crm_pending_note_link"};

    static {
        TWENTY.start();
    }

    @Autowired
    private CrmPreflight preflight;
    @Autowired
    private CircuitBreaker breaker;

    @DynamicPropertySource
    static void twenty(DynamicPropertyRegistry registry) {
        registry.add("sluice.crm.twenty.base-url", TWENTY::baseUrl);
    }

    @BeforeEach
    void statefulTwenty() {
        TWENTY.resetAll();
        STAND_IN.clear();
        TWENTY.stubFor(post(urlPathMatching("/rest/batch/(people|opportunities|notes|noteTargets)"))
                .withQueryParam("upsert", equalTo("true")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withTransformers(StatefulTwenty.NAME)));
        TWENTY.stubFor(get(urlPathEqualTo("/rest/people")).willReturn(TwentyRecordings.answer("people-find-by-email-filter")));
        TWENTY.stubFor(post(urlPathEqualTo("/metadata")).willReturn(TwentyRecordings.metadata(TwentyRecordings.preparedWorkspace(), Set.of())));
        assertThat(preflight.runNow().status()).isEqualTo(CrmCheck.Status.OK);
    }

    @Test
    void oneBackfillBatchLeavesTwentyAsTheSameChangesSentOneByOneInSourceTimeOrder() {
        Long fixed = Long.getLong("twenty.equivalence.seed");
        int trials = fixed != null ? 1 : Integer.getInteger("twenty.equivalence.trials", 16);
        // a fixed base by default, so a run can be repeated; -Dtwenty.equivalence.base=<n> explores other cases
        long base = Long.getLong("twenty.equivalence.base", 20261201L);
        Random seeds = new Random(base);
        System.out.println("TwentyBatchEquivalenceTest: " + (fixed != null ? "seed " + fixed : "base seed " + base + ", " + trials + " trials"));
        for (int trial = 0; trial < trials; trial++) {
            long seed = fixed != null ? fixed : seeds.nextLong();
            long started = System.nanoTime();
            Scenario scenario = Scenario.generate(seed);
            String batch = throughOneBatch(scenario);
            String oneByOne = oneByOne(scenario);
            assertThat(batch).as("seed %d (rerun with -Dtwenty.equivalence.seed=%d): one batch (actual) and the same changes one by one "
                            + "(expected) leave Twenty differently%nchanges in source-time order:%n%sdifferences:%n%s",
                    seed, seed, scenario.describe(), diff(batch, oneByOne))
                    .isEqualTo(oneByOne);
            System.out.printf("TwentyBatchEquivalenceTest: seed %d: %d changes of %d people in %d backfill(s) after %d earlier webhooks, "
                            + "same state (%d ms)%n", seed, scenario.compared().size(), scenario.people, scenario.backfills,
                    scenario.early.size(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Pulls the scenario's backfills with the crm target paused, then lets the inbox drain as one batch. */
    private String throughOneBatch(Scenario scenario) {
        resetRun();
        deliverEarly(scenario);
        admin("PUT", "/api/pauses/crm", ADMIN_TOKEN);
        try {
            for (int backfill = 1; backfill <= scenario.backfills; backfill++) {
                WHOP.resetAll();
                for (Kind kind : Kind.values()) {
                    whop.pages(kind.resource, scenario.listed(kind, backfill), 2);
                }
                awaitSync(startSync("full"), "COMPLETED");
            }
            assertThat(count("SELECT COUNT(*) FROM event_log WHERE status = 'RECEIVED'"))
                    .as("seed %d: every change pulled and waiting", scenario.seed).isEqualTo(scenario.compared().size());
        } finally {
            admin("DELETE", "/api/pauses/crm", ADMIN_TOKEN);
        }
        awaitInboxDrained();
        // one batch: every pulled change completed by the batch path (none retried alone), one call per kind at most
        assertThat(jdbc.queryForList("SELECT e.id FROM event_log e WHERE e.source = 'whop-pull' AND NOT EXISTS (SELECT 1 FROM "
                + "event_history h WHERE h.event_id = e.id AND (h.detail LIKE 'applied to twenty in a batch of %' "
                + "OR h.detail = 'the CRM holds a newer change' OR h.detail LIKE 'this change was already applied earlier%'))", String.class))
                .as("seed %d: pulled changes not completed in the batch", scenario.seed).isEmpty();
        assertThat(jdbc.queryForList("SELECT DISTINCT detail FROM event_history WHERE detail LIKE 'applied to twenty in a batch of %'", String.class))
                .as("seed %d: batches", scenario.seed).hasSizeLessThanOrEqualTo(1);
        Map<String, Integer> calls = batchCalls();
        assertThat(calls.values()).as("seed %d: calls per kind %s", scenario.seed, calls).allMatch(n -> n <= 1);
        return STAND_IN.describe(scenario) + outcomes();
    }

    /** Sends every version as a signed webhook in source-time order, each applied before the next goes. */
    private String oneByOne(Scenario scenario) {
        resetRun();
        deliverEarly(scenario);
        int n = 0;
        for (Version version : scenario.inSourceTimeOrder()) {
            send(scenario, version, "msg_eq_" + Long.toHexString(scenario.seed) + "_" + n++);
        }
        return STAND_IN.describe(scenario) + outcomes();
    }

    /** The changes Twenty holds before the compared part, the same way in both runs. */
    private void deliverEarly(Scenario scenario) {
        int n = 0;
        for (Version version : scenario.early) {
            send(scenario, version, "msg_eq_" + Long.toHexString(scenario.seed) + "_early" + n++);
        }
        TWENTY.resetRequests();
    }

    /** Sends one version as a signed webhook and waits until it is applied (or found stale). */
    private void send(Scenario scenario, Version version, String id) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("id", id);
        envelope.put("api_version", "v1");
        envelope.put("timestamp", version.time.toString());
        envelope.put("type", version.kind.type);
        envelope.put("company_id", WhopApiStub.COMPANY);
        envelope.set("data", version.record);
        int status = Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), envelope.toString().getBytes(StandardCharsets.UTF_8)).statusCode();
        assertThat(status).as("seed %d: webhook %s accepted", scenario.seed, version).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10)).until(() -> Crms.isFinal(eventStatus(id)));
        assertThat(eventStatus(id)).as("seed %d: webhook %s applied", scenario.seed, version).isIn("DONE", "STALE");
    }

    /** Each change's outcome (DONE, or STALE when Twenty already held a newer one), by its change key. */
    private String outcomes() {
        StringBuilder out = new StringBuilder();
        jdbc.queryForList("SELECT change_key || ': ' || status FROM event_log ORDER BY change_key, status", String.class)
                .forEach(line -> out.append("outcome ").append(line).append('\n'));
        return out.toString();
    }

    private void resetRun() {
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM whop_sync_run WHERE status = 'RUNNING'") == 0);
        for (String table : RUN_TABLES) {
            jdbc.update("DELETE FROM " + table);
        }
        STAND_IN.clear();
        TWENTY.resetRequests();
        breaker.reset();
        clock.reset();
    }

    private Map<String, Integer> batchCalls() {
        Map<String, Integer> calls = new LinkedHashMap<>();
        for (String plural : List.of("people", "opportunities", "notes", "noteTargets")) {
            calls.put(plural, TWENTY.findAll(postRequestedFor(urlPathEqualTo("/rest/batch/" + plural))).size());
        }
        return calls;
    }

    private static String diff(String actual, String expected) {
        List<String> a = List.of(actual.split("\n"));
        List<String> e = List.of(expected.split("\n"));
        StringBuilder out = new StringBuilder();
        a.stream().filter(line -> !e.contains(line)).forEach(line -> out.append("  batch only:      ").append(line).append('\n'));
        e.stream().filter(line -> !a.contains(line)).forEach(line -> out.append("  one by one only: ").append(line).append('\n'));
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the random changes

    enum Kind {
        MEMBER("members", "member.synced"), MEMBERSHIP("memberships", "membership.synced"), PAYMENT("payments", "payment.synced");

        final String resource;
        final String type;

        Kind(String resource, String type) {
            this.resource = resource;
            this.type = type;
        }
    }

    /** One version of a Whop record: the record as Whop lists it at {@code time}, first listed by backfill {@code backfill}. */
    record Version(Kind kind, String id, int backfill, Instant time, ObjectNode record, String summary) {
        @Override
        public String toString() {
            return time + " backfill " + backfill + " " + kind.type + " " + id + " " + summary;
        }
    }

    static final class Scenario {

        private static final String[] NAMES = {"Ann Lee", "Bo", "Cher", "Mary Ann Smith", "Zoë Ångström", "Li", "  Pat   Kim  ",
                "José García", "Ng", null, "", "   "};
        private static final String[] STATUSES = {"trialing", "active", "completed", "canceling", "past_due", "canceled", "expired", "drafted"};
        private static final String[] SUBSTATUSES = {"succeeded", "failed", "pending", "partially_refunded", "refunded"};
        private static final String[] TOTALS = {"49", "99", "10.5", "0"};
        private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

        final long seed;
        final int people;
        final int backfills;
        final List<Version> versions = new ArrayList<>();
        /** Versions delivered as webhooks before the compared part, in this order (often not source-time order). */
        final List<Version> early = new ArrayList<>();
        /** Early versions that do not come again in the compared part (the others are pulled again by a backfill). */
        final Set<Version> earlyOnly = new HashSet<>();
        final Set<String> membershipIds = new TreeSet<>();
        final Set<String> paymentIds = new TreeSet<>();
        private final Random random;
        private final Set<Instant> times = new HashSet<>();

        private Scenario(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.people = 2 + random.nextInt(3);
            this.backfills = random.nextInt(3) == 0 ? 2 : 1;
        }

        static Scenario generate(long seed) {
            Scenario s = new Scenario(seed);
            for (int p = 1; p <= s.people; p++) {
                if (s.random.nextInt(10) < 6) {
                    s.record(Kind.MEMBER, "mber_eq" + p, p, null);
                }
                int memberships = s.random.nextInt(3);
                for (int k = 0; k < memberships; k++) {
                    String membership = "mem_eq" + p + "_" + k;
                    s.record(Kind.MEMBERSHIP, membership, p, null);
                    int payments = s.random.nextInt(3);
                    for (int j = 0; j < payments; j++) {
                        s.record(Kind.PAYMENT, "pay_eq" + p + "_" + k + "_" + j, p, membership);
                    }
                }
                if (s.random.nextInt(5) == 0) { // a payment of a membership no backfill lists: its note waits for it
                    s.record(Kind.PAYMENT, "pay_eq" + p + "_x", p, "mem_eq" + p + "_unlisted");
                }
            }
            if (s.versions.isEmpty()) {
                s.record(Kind.MEMBERSHIP, "mem_eq1_0", 1, null);
            }
            if (s.random.nextInt(3) == 0) {
                // Twenty already holds some changes, delivered as webhooks in any order: often the newer version of a
                // record whose older one the batch brings (stale there), now and then one the backfill pulls again
                for (Version v : s.versions) {
                    boolean newer = s.versions.stream().anyMatch(o -> o.id.equals(v.id) && o.time.isBefore(v.time));
                    if (s.random.nextInt(10) < (newer ? 6 : 3)) {
                        s.early.add(v);
                        if (s.random.nextInt(5) != 0) {
                            s.earlyOnly.add(v);
                        }
                    }
                }
                if (s.earlyOnly.size() == s.versions.size()) {
                    s.earlyOnly.remove(s.versions.get(0));
                }
                Collections.shuffle(s.early, s.random);
            }
            return s;
        }

        /** A record with one version, or (with two backfills) first listed by the second, or listed again newer by it. */
        private void record(Kind kind, String id, int person, String membership) {
            int first = backfills == 2 && random.nextInt(5) == 0 ? 2 : 1;
            Instant time = distinctTime(EPOCH, 20 * 24 * 3600);
            versions.add(version(kind, id, person, membership, first, time));
            if (first == 1 && backfills == 2 && random.nextInt(3) == 0) {
                versions.add(version(kind, id, person, membership, 2, distinctTime(time.plusSeconds(1), 5 * 24 * 3600)));
            }
            if (kind == Kind.MEMBERSHIP) {
                membershipIds.add(id);
            } else if (kind == Kind.PAYMENT) {
                paymentIds.add(id);
                membershipIds.add(membership);
            }
        }

        /** A time not used yet, from {@code from} up to {@code range} seconds later (close times among them). */
        private Instant distinctTime(Instant from, int range) {
            while (true) {
                Instant t = from.plusSeconds(random.nextInt(3) == 0 ? random.nextInt(5) : random.nextInt(range));
                if (times.add(t)) {
                    return t;
                }
            }
        }

        private Version version(Kind kind, String id, int person, String membership, int backfill, Instant time) {
            String name = NAMES[random.nextInt(NAMES.length)];
            String email = switch (random.nextInt(3)) { // the mapping trims and lower-cases: all are the same person
                case 0 -> "person" + person + "@example.com";
                case 1 -> "Person" + person + "@Example.com";
                default -> " PERSON" + person + "@EXAMPLE.COM ";
            };
            ObjectNode record;
            String summary;
            switch (kind) {
                case MEMBER -> {
                    record = example("member.json");
                    summary = "";
                }
                case MEMBERSHIP -> {
                    record = example("membership.json");
                    String status = STATUSES[random.nextInt(STATUSES.length)];
                    boolean cancelAtPeriodEnd = random.nextBoolean();
                    record.put("status", status);
                    record.put("cancel_at_period_end", cancelAtPeriodEnd);
                    record.put("manage_url", "https://whop.com/billing/manage/" + id);
                    record.putObject("member").put("id", "mber_eq" + person);
                    summary = "status=" + status + " cancel_at_period_end=" + cancelAtPeriodEnd + " ";
                }
                default -> {
                    record = example("payment.json");
                    String substatus = SUBSTATUSES[random.nextInt(SUBSTATUSES.length)];
                    String total = TOTALS[random.nextInt(TOTALS.length)];
                    record.put("substatus", substatus);
                    record.put("total", new BigDecimal(total));
                    record.putObject("membership").put("id", membership).put("status", "active");
                    record.putObject("member").put("id", "mber_eq" + person).putNull("phone");
                    summary = "membership=" + membership + " substatus=" + substatus + " total=" + total + " ";
                }
            }
            record.put("id", id);
            record.put("updated_at", time.toString());
            ObjectNode user = record.putObject("user");
            user.put("id", "user_eq" + person);
            user.put("email", email);
            if (name != null || random.nextBoolean()) {
                user.put("name", name); // null: Whop sends "name": null; otherwise it leaves the field out
            }
            user.put("username", "person" + person);
            return new Version(kind, id, backfill, time, record, summary + "email='" + email + "' name="
                    + (name == null ? (user.has("name") ? "null" : "absent") : "'" + name + "'"));
        }

        /** What Whop lists of {@code kind} in backfill {@code backfill}: the newest version so far of each record, shuffled. */
        List<ObjectNode> listed(Kind kind, int backfill) {
            Map<String, Version> newest = new LinkedHashMap<>();
            compared().stream().filter(v -> v.kind == kind && v.backfill <= backfill)
                    .forEach(v -> newest.merge(v.id, v, (a, b) -> b.time.isAfter(a.time) ? b : a));
            List<ObjectNode> records = new ArrayList<>(newest.values().stream().map(v -> v.record.deepCopy()).toList());
            Collections.shuffle(records, new Random(seed * 31 + backfill * 7L + kind.ordinal()));
            return records;
        }

        /** The versions the two runs deliver differently: all but the early ones. */
        List<Version> compared() {
            return versions.stream().filter(v -> !earlyOnly.contains(v)).toList();
        }

        List<Version> inSourceTimeOrder() {
            return compared().stream().sorted(Comparator.comparing(Version::time)).toList();
        }

        String describe() {
            StringBuilder out = new StringBuilder();
            if (!early.isEmpty()) {
                out.append("  first, in both runs, as webhooks in this order:\n");
                early.forEach(v -> out.append("    ").append(v).append(earlyOnly.contains(v) ? "" : " (comes again below)").append('\n'));
                out.append("  then, as one batch or one by one in source-time order:\n");
            }
            inSourceTimeOrder().forEach(v -> out.append("  ").append(v).append('\n'));
            return out.toString();
        }

        private static ObjectNode example(String file) {
            try (InputStream in = TwentyBatchEquivalenceTest.class.getResourceAsStream("/whop/" + file)) {
                return (ObjectNode) JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the Twenty stand-in

    /**
     * A Twenty 2.21 workspace in memory, behind {@code POST /rest/batch/<plural>?upsert=true}: people upserted by
     * primary email, opportunities, notes and noteTargets by id. A batch is validated whole before any of it is
     * applied, as Twenty refuses a batch as a whole.
     */
    static final class StatefulTwenty implements ResponseDefinitionTransformerV2 {

        static final String NAME = "stateful-twenty";
        private static final Map<String, Set<String>> FIELDS = Map.of(
                "people", Set.of("name", "emails", "jobTitle", "city", "whopUserId"),
                "opportunities", Set.of("id", "name", "amount", "closeDate", "stage", "pointOfContactId"),
                "notes", Set.of("id", "title", "bodyV2"),
                "noteTargets", Set.of("id", "noteId", "targetPersonId", "targetOpportunityId", "targetCompanyId"));
        private static final Map<String, String> SINGULAR = Map.of("people", "person", "opportunities", "opportunity",
                "notes", "note", "noteTargets", "noteTarget");
        private static final Set<String> STAGES = Set.of("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER", "AT_RISK", "LOST");

        private final Map<String, ObjectNode> people = new HashMap<>(); // by primary email
        private final Map<String, ObjectNode> opportunities = new HashMap<>();
        private final Map<String, ObjectNode> notes = new HashMap<>();
        private final Map<String, ObjectNode> noteTargets = new HashMap<>();

        synchronized void clear() {
            people.clear();
            opportunities.clear();
            notes.clear();
            noteTargets.clear();
        }

        @Override
        public synchronized ResponseDefinition transform(ServeEvent serveEvent) {
            String path = serveEvent.getRequest().getUrl();
            String plural = path.substring("/rest/batch/".length(), path.indexOf('?') < 0 ? path.length() : path.indexOf('?'));
            JsonNode batch;
            try {
                batch = JSON.readTree(serveEvent.getRequest().getBodyAsString());
            } catch (IOException e) {
                return refuse("Invalid JSON");
            }
            if (batch == null || !batch.isArray()) {
                return refuse("Body must be an array");
            }
            Map<String, ObjectNode> store = store(plural);
            Set<String> keys = new HashSet<>();
            for (JsonNode record : batch) {
                if (!record.isObject()) {
                    return refuse("Each record must be an object");
                }
                for (var it = record.fieldNames(); it.hasNext(); ) {
                    String field = it.next();
                    if (!FIELDS.get(plural).contains(field)) {
                        return refuse("Object " + SINGULAR.get(plural) + " doesn't have any \"" + field + "\" field.");
                    }
                }
                String key = key(plural, record);
                if (key == null || key.isBlank()) {
                    return refuse(plural.equals("people") ? "Missing emails.primaryEmail" : "Missing id");
                }
                if (!keys.add(key)) {
                    return refuse("A duplicate entry was detected");
                }
                String invalid = invalid(plural, record);
                if (invalid != null) {
                    return refuse(invalid);
                }
            }
            ArrayNode answered = JSON.createArrayNode();
            for (JsonNode record : batch) {
                String key = key(plural, record);
                ObjectNode stored = store.computeIfAbsent(key, k -> created(plural, k));
                record.fields().forEachRemaining(field -> {
                    if (field.getKey().equals("name") && plural.equals("people") && field.getValue().isObject()) {
                        ((ObjectNode) stored.path("name")).setAll(((ObjectNode) field.getValue()).deepCopy());
                    } else {
                        stored.set(field.getKey(), field.getValue().deepCopy());
                    }
                });
                answered.add(stored.deepCopy());
            }
            ObjectNode body = JSON.createObjectNode();
            body.putObject("data").set("create" + Character.toUpperCase(plural.charAt(0)) + plural.substring(1), answered);
            return new ResponseDefinitionBuilder().withStatus(201).withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(body.toString()).build();
        }

        private Map<String, ObjectNode> store(String plural) {
            return switch (plural) {
                case "people" -> people;
                case "opportunities" -> opportunities;
                case "notes" -> notes;
                default -> noteTargets;
            };
        }

        private static String key(String plural, JsonNode record) {
            JsonNode key = plural.equals("people") ? record.path("emails").path("primaryEmail") : record.path("id");
            return key.isTextual() ? key.asText().toLowerCase(Locale.ROOT) : null;
        }

        /** What Twenty refuses in a record: an unknown stage, a reference to a record it does not hold. */
        private String invalid(String plural, JsonNode record) {
            switch (plural) {
                case "opportunities" -> {
                    if (record.has("stage") && !STAGES.contains(record.path("stage").asText())) {
                        return "Invalid value \"" + record.path("stage").asText() + "\" for field \"stage\"";
                    }
                    if (record.path("pointOfContactId").isTextual() && !personIds().contains(record.path("pointOfContactId").asText())) {
                        return "insert or update on table \"opportunity\" violates foreign key constraint \"FK_pointOfContact\"";
                    }
                }
                case "noteTargets" -> {
                    boolean known = notes.containsKey(record.path("noteId").asText())
                            && (!record.path("targetPersonId").isTextual() || personIds().contains(record.path("targetPersonId").asText()))
                            && (!record.path("targetOpportunityId").isTextual() || opportunities.containsKey(record.path("targetOpportunityId").asText()));
                    if (!known) {
                        return "insert or update on table \"noteTarget\" violates foreign key constraint \"FK_noteTarget\"";
                    }
                }
                default -> {
                }
            }
            return null;
        }

        private Set<String> personIds() {
            Set<String> ids = new HashSet<>();
            people.values().forEach(p -> ids.add(p.path("id").asText()));
            return ids;
        }

        private static ObjectNode created(String plural, String key) {
            ObjectNode record = JSON.createObjectNode();
            switch (plural) {
                case "people" -> {
                    record.put("id", UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString());
                    record.putObject("name").put("firstName", "").put("lastName", "");
                    record.putObject("emails").put("primaryEmail", key).putArray("additionalEmails");
                    record.put("jobTitle", "");
                    record.put("city", "");
                    record.putNull("whopUserId");
                }
                case "opportunities" -> {
                    record.put("id", key);
                    record.put("name", "");
                    record.put("stage", "NEW");
                    record.putNull("closeDate");
                    record.putNull("pointOfContactId");
                }
                case "notes" -> {
                    record.put("id", key);
                    record.put("title", "");
                    record.putObject("bodyV2").put("markdown", "");
                }
                default -> {
                    record.put("id", key);
                    record.putNull("noteId");
                    record.putNull("targetPersonId");
                    record.putNull("targetOpportunityId");
                    record.putNull("targetCompanyId");
                }
            }
            return record;
        }

        private static ResponseDefinition refuse(String message) {
            ObjectNode body = JSON.createObjectNode().put("statusCode", 400).put("error", "BadRequestException");
            body.putArray("messages").add(message);
            return new ResponseDefinitionBuilder().withStatus(400).withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(body.toString()).build();
        }

        /** The compared state, one line per record, ids named by the Whop keys they derive from. */
        synchronized String describe(Scenario scenario) {
            Map<String, String> emailById = new HashMap<>();
            people.forEach((email, p) -> emailById.put(p.path("id").asText(), email));
            Map<String, String> membershipById = new HashMap<>();
            scenario.membershipIds.forEach(m -> membershipById.put(Uuid5.forObject("opportunity", m), m));
            Map<String, String> paymentById = new HashMap<>();
            scenario.paymentIds.forEach(p -> paymentById.put(Uuid5.forObject("note", p), p));
            Map<String, String> lines = new TreeMap<>();
            people.forEach((email, p) -> lines.put("person " + email, "first=" + text(p.path("name").path("firstName"))
                    + " last=" + text(p.path("name").path("lastName")) + " whopUserId=" + text(p.path("whopUserId"))));
            opportunities.forEach((id, o) -> lines.put("opportunity " + membershipById.getOrDefault(id, id),
                    "stage=" + text(o.path("stage")) + " pointOfContact=" + (o.path("pointOfContactId").isTextual()
                            ? emailById.getOrDefault(o.path("pointOfContactId").asText(), "unknown " + o.path("pointOfContactId").asText())
                            : "none")));
            Map<String, Set<String>> targets = new HashMap<>();
            noteTargets.values().forEach(t -> {
                Set<String> of = targets.computeIfAbsent(t.path("noteId").asText(), k -> new TreeSet<>());
                if (t.path("targetPersonId").isTextual()) {
                    of.add("person " + emailById.getOrDefault(t.path("targetPersonId").asText(), t.path("targetPersonId").asText()));
                }
                if (t.path("targetOpportunityId").isTextual()) {
                    of.add("opportunity " + membershipById.getOrDefault(t.path("targetOpportunityId").asText(), t.path("targetOpportunityId").asText()));
                }
            });
            notes.forEach((id, n) -> lines.put("note " + paymentById.getOrDefault(id, id), "title=" + text(n.path("title"))
                    + " body=" + text(n.path("bodyV2").path("markdown")) + " linked to " + targets.getOrDefault(id, Set.of())));
            StringBuilder out = new StringBuilder();
            lines.forEach((key, value) -> out.append(key).append(": ").append(value).append('\n'));
            return out.toString();
        }

        private static String text(JsonNode node) {
            return node.isNull() || node.isMissingNode() ? "null" : "'" + node.asText() + "'";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }
}
