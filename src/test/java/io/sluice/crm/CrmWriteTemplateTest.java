package io.sluice.crm;

import io.sluice.config.CrmProperties;
import io.sluice.config.InboxProperties;
import io.sluice.mapping.CrmChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one write algorithm every CRM provider shares, single and batch, against a provider that only records what it
 * was asked to send: the order of the parts, the stale guard, what is recorded and which notes wait for their
 * opportunity.
 */
class CrmWriteTemplateTest {

    private static final Instant T1 = Instant.parse("2026-01-10T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-20T00:00:00Z");

    private CrmWriteVersions versions;
    private CrmWriteLeases leases;
    private PendingNoteLinks pendingLinks;
    private CrmWriteTemplate template;
    private final RecordingWrites crm = new RecordingWrites();

    @BeforeEach
    void database() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "sluice.crm.write-lock-wait", "3s", "sluice.crm.write-lease", "3s")));
        versions = new CrmWriteVersions(jdbc, Clock.systemUTC(), binder.bindOrCreate("sluice.crm", CrmProperties.class),
                binder.bindOrCreate("sluice.inbox", InboxProperties.class));
        leases = new CrmWriteLeases(versions);
        pendingLinks = new PendingNoteLinks(jdbc, Clock.systemUTC(), new SimpleMeterRegistry());
        template = new CrmWriteTemplate("test", versions, leases, pendingLinks);
    }

    @AfterEach
    void stop() {
        versions.destroy();
    }

    @Test
    void aChangeWritesPersonThenOpportunityThenNoteAndRemembersTheIdsTheCrmGave() {
        assertThat(template.apply(membership("e1", T1, "a@x.io", "mem_1", "pay_1"), crm)).isEqualTo(CrmWriteResult.APPLIED);

        assertThat(crm.sent).containsExactly("person a@x.io", "opportunity mem_1 for person-a@x.io", "note pay_1 on person-a@x.io/opp-mem_1");
        assertThat(remoteId("person", "a@x.io")).isEqualTo("person-a@x.io");
        assertThat(remoteId("opportunity", "mem_1")).isEqualTo("opp-mem_1");
        assertThat(remoteId("note", "pay_1")).isEqualTo("note-pay_1");
    }

    @Test
    void anOlderChangeOfTheSameSubjectWritesNothingAndAnOlderPersonIsLeftAlone() {
        template.apply(membership("e2", T2, "a@x.io", "mem_1", null), crm);
        crm.sent.clear();

        assertThat(template.apply(membership("e1", T1, "a@x.io", "mem_1", null), crm)).isEqualTo(CrmWriteResult.STALE);
        assertThat(crm.sent).isEmpty();

        // a new note of an older change: the note is written, the person (newer in the CRM) is not
        assertThat(template.apply(membership("e0", T1, "a@x.io", null, "pay_9"), crm)).isEqualTo(CrmWriteResult.APPLIED);
        assertThat(crm.sent).containsExactly("note pay_9 on person-a@x.io/-");
    }

    @Test
    void aNoteBeforeItsOpportunityWaitsAndIsLinkedWhenTheOpportunityIsWritten() {
        template.apply(payment("e1", T1, "a@x.io", "pay_1", "mem_1"), crm);
        assertThat(crm.sent).containsExactly("person a@x.io", "note pay_1 on person-a@x.io/-");
        assertThat(pendingLinks.notesOf("test", "mem_1")).containsExactly("pay_1");

        template.apply(membership("e2", T2, "a@x.io", "mem_1", null), crm);
        assertThat(crm.sent).endsWith("opportunity mem_1 for person-a@x.io", "link mem_1 <- {pay_1=note-pay_1}");
        assertThat(pendingLinks.notesOf("test", "mem_1")).isEmpty();
    }

    @Test
    void aPersonTheCrmLostIsFoundAgainAndAnOlderChangeForgetsItsSourceTime() {
        template.apply(membership("e2", T2, "a@x.io", null, null), crm);
        crm.personGoneOnce = true;

        template.apply(membership("e1", T1, "a@x.io", "mem_1", null), crm); // its person fields are older

        assertThat(crm.sent).endsWith("opportunity mem_1 for person-a@x.io", "found again a@x.io", "opportunity mem_1 for again-a@x.io");
        assertThat(remoteId("person", "a@x.io")).isEqualTo("again-a@x.io");
        Map<String, CrmWriteVersions.Written> person = leases.run(() -> versions.lockAll("test", "person", List.of("a@x.io")));
        assertThat(person.get("a@x.io").sourceUpdatedAt()).isNull(); // the next change of the person writes it fully
    }

    @Test
    void aPersonMergedIntoAnotherInTheCrmKeepsItsSourceTimeWhenFoundAgain() {
        template.apply(membership("e2", T2, "a@x.io", null, null), crm);
        crm.personGoneOnce = true;
        crm.createdAgain = false; // merged: the record found by email still holds the newer fields

        template.apply(membership("e1", T1, "a@x.io", "mem_1", null), crm);

        assertThat(remoteId("person", "a@x.io")).isEqualTo("again-a@x.io");
        Map<String, CrmWriteVersions.Written> person = leases.run(() -> versions.lockAll("test", "person", List.of("a@x.io")));
        assertThat(person.get("a@x.io").sourceUpdatedAt()).isEqualTo(T2);
    }

    @Test
    void aBatchWriterThatFailsAfterSomeNotesKeepsThoseNotesRecordedSoTheirRetryDoesNotCreateThemAgain() {
        List<CrmChange> changes = List.of(payment("e1", T1, "a@x.io", "pay_1", "mem_1"), payment("e2", T1, "b@x.io", "pay_2", "mem_2"));

        assertThatThrownBy(() -> template.applyBatch(changes, plan -> {
            plan.peopleWritten(Map.of("a@x.io", "id-a", "b@x.io", "id-b"));
            assertThat(plan.notesToWrite()).containsOnlyKeys("pay_1", "pay_2");
            plan.noteWritten("pay_1", "note-1");
            throw new CrmException("the CRM went away before pay_2", true, null);
        })).hasMessageContaining("before pay_2");

        assertThat(remoteId("note", "pay_1")).isEqualTo("note-1");
        assertThat(remoteId("note", "pay_2")).isNull();
        // retried alone (the leases are released), each writes its note: pay_1 onto the note the CRM already has
        template.apply(payment("e1", T1, "a@x.io", "pay_1", "mem_1"), crm);
        template.apply(payment("e2", T1, "b@x.io", "pay_2", "mem_2"), crm);
        assertThat(crm.sent).containsExactly("person a@x.io", "note pay_1 on person-a@x.io/- (is note-1)", "person b@x.io",
                "note pay_2 on person-b@x.io/-");
    }

    @Test
    void aBatchPlansLikeSingleWritesNewestWritesMergedFieldsStaleSetAsideFailuresTakeTheirSiblings() {
        template.apply(membership("e0", T2, "old@x.io", "mem_old", null), crm);
        List<CrmChange> changes = List.of(
                membership("e1", T1, "a@x.io", "mem_1", null),
                withName(membership("e2", T2, "a@x.io", "mem_2", "pay_2"), "Ada"),
                membership("e3", T1, "old@x.io", "mem_old", null), // older than what the CRM holds
                payment("e4", T1, "b@x.io", "pay_2", "mem_2")); // the same note as e2, older

        List<BatchOutcome> outcomes = leases.run(() -> {
            BatchPlan plan = BatchPlan.lock(versions, "test", changes);
            assertThat(plan.peopleToWrite()).containsExactly(Map.entry("a@x.io", 1), Map.entry("b@x.io", 3));
            assertThat(plan.personFields("a@x.io")).containsEntry("name", "Ada");
            assertThat(plan.opportunitiesToWrite()).containsOnlyKeys("mem_1", "mem_2");
            plan.peopleWritten(Map.of("a@x.io", "id-a", "b@x.io", "id-b"));
            plan.opportunitiesWritten(Map.of("mem_1", "opp-1")); // the CRM refused mem_2
            plan.fail(io.sluice.crm.ChangeKeys::membershipId, "mem_2", new CrmRejectedException("refused mem_2"));
            assertThat(plan.notesToWrite()).isEmpty(); // pay_2's newest change failed: its sibling e4 retries with it
            plan.notesWritten(Map.of());
            return plan.outcomes();
        });

        assertThat(outcomes).extracting(o -> o.succeeded() ? o.result().name() : "failed")
                .containsExactly("APPLIED", "failed", "STALE", "failed");
        assertThat(remoteId("person", "a@x.io")).isEqualTo("id-a");
        assertThat(remoteId("opportunity", "mem_1")).isEqualTo("opp-1");
        // the opportunity the CRM refused is not recorded: its change retries alone and writes it with its own time
        Map<String, CrmWriteVersions.Written> refused = leases.run(() -> versions.lockAll("test", "opportunity", List.of("mem_2")));
        assertThat(refused.get("mem_2").sourceUpdatedAt()).isNull();
    }

    private String remoteId(String type, String key) {
        return versions.remoteId("test", type, key).orElse(null);
    }

    private static CrmChange membership(String eventId, Instant at, String email, String membershipId, String noteKey) {
        return new CrmChange(eventId, "membership.went_valid", "membership", at, Map.of("email", email),
                membershipId == null ? null : Map.of("membershipId", membershipId),
                noteKey == null ? null : membershipId == null ? Map.of("externalId", noteKey, "body", "note of " + eventId)
                        : Map.of("externalId", noteKey, "membershipId", membershipId, "body", "note of " + eventId));
    }

    private static CrmChange payment(String eventId, Instant at, String email, String noteKey, String membershipId) {
        return new CrmChange(eventId, "payment.succeeded", "payment", at, Map.of("email", email), null,
                Map.of("externalId", noteKey, "membershipId", membershipId));
    }

    private static CrmChange withName(CrmChange change, String name) {
        Map<String, Object> person = new LinkedHashMap<>(change.person());
        person.put("name", name);
        return new CrmChange(change.eventId(), change.eventType(), change.group(), change.sourceUpdatedAt(), person,
                change.opportunity(), change.note());
    }

    /** A provider that answers derived ids and records what it sent; its person can be lost once. */
    private static final class RecordingWrites implements CrmRecordWrites {
        final List<String> sent = new ArrayList<>();
        boolean personGoneOnce;
        boolean createdAgain = true;

        @Override
        public String writePerson(ChangeWrite write) {
            sent.add("person " + write.email());
            return "person-" + write.email();
        }

        @Override
        public String writeOpportunity(ChangeWrite write) {
            sent.add("opportunity " + write.membershipId() + " for " + write.personId());
            if (personGoneOnce) {
                personGoneOnce = false;
                sent.add("found again " + write.email());
                write.personFoundAgain("again-" + write.email(), createdAgain);
                sent.add("opportunity " + write.membershipId() + " for " + write.personId());
            }
            return "opp-" + write.membershipId();
        }

        @Override
        public String writeNote(ChangeWrite write) {
            String opportunity = write.noteOpportunityId();
            sent.add("note " + write.noteKey() + " on " + write.personId() + "/" + (opportunity == null ? "-" : opportunity)
                    + (write.rememberedNoteId() == null ? "" : " (is " + write.rememberedNoteId() + ")"));
            return "note-" + write.noteKey();
        }

        @Override
        public boolean linksNotesLater() {
            return true;
        }

        @Override
        public void linkWaitingNotes(String membershipId, String opportunityId, Map<String, String> noteIds) {
            sent.add("link " + membershipId + " <- " + noteIds);
        }
    }
}
