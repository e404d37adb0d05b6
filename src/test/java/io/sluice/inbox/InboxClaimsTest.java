package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import io.sluice.event.CanonicalEvent;
import io.sluice.event.EventStatus;
import io.sluice.support.MutableClock;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.env.MockEnvironment;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas on one inbox, each with its own name, held claims and lease renewal, on one clock: a replica never
 * takes a claim whose holder still renews it, and takes over one whose lease ran out.
 */
class InboxClaimsTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private JdbcTemplate jdbc;
    private Replica a;
    private Replica b;

    @BeforeEach
    void oneInbox() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        clock.reset();
        a = new Replica("replica-a", "10m");
        b = new Replica("replica-b", "10m");
        for (int i = 0; i < 4; i++) {
            a.log.insertIfAbsent(event("evt_" + i));
        }
    }

    @Test
    void aReplicaThatStartsTakesNothingFromALiveOne() {
        assertThat(a.claims.claimReceived(10)).hasSize(4);

        assertThat(b.claims.takeBackOwn()).as("b's start").isZero();
        assertThat(b.claims.takeBackExpired()).isZero();
        assertThat(b.claims.claimReceived(10)).isEmpty();
        assertThat(owners()).containsOnly("replica-a");
    }

    @Test
    void renewedLeasesOutliveTheLeaseAndAnUnrenewedOneIsTakenOver() {
        a.claims.claimReceived(10);
        for (int i = 0; i < 5; i++) {
            clock.advance(LEASE.dividedBy(3));
            assertThat(a.claims.renewLeases()).isEqualTo(4);
            assertThat(b.claims.takeBackExpired()).as("a renews its leases: nothing is taken back").isZero();
        }

        clock.advance(LEASE.plusSeconds(1)); // a died: nobody renews its claims
        assertThat(b.claims.takeBackExpired()).isEqualTo(4);
        assertThat(b.claims.claimReceived(10)).hasSize(4);
        assertThat(owners()).containsOnly("replica-b");
        assertThat(a.claims.renewLeases()).as("a, back, renews nothing it lost").isZero();
    }

    @Test
    void aProcessThatLostItsClaimCannotOverwriteTheOutcomeOfTheProcessThatTookItOver() {
        String id = a.claims.claimReceived(1).get(0).id();
        clock.advance(LEASE.plusSeconds(1)); // a stalls: its lease runs out
        b.claims.takeBackExpired();
        assertThat(b.claims.claimReceived(10)).extracting(InboxClaims.Claimed::id).contains(id);

        a.log.markWaiting(id, clock.instant().plusSeconds(60), true, "a's late failure");
        a.log.markCompleted(id, EventStatus.DONE, "a's late success");
        assertThat(jdbc.queryForObject("SELECT claimed_by FROM event_log WHERE id = ?", String.class, id)).isEqualTo("replica-b");
        assertThat(jdbc.queryForObject("SELECT status FROM event_log WHERE id = ?", String.class, id)).isEqualTo("PROCESSING");
        assertThat(a.log.history(id)).as("a records nothing of it").isEmpty();

        assertThat(b.log.markCompleted(id, EventStatus.DONE, "applied")).isTrue();
        assertThat(jdbc.queryForObject("SELECT status FROM event_log WHERE id = ?", String.class, id)).isEqualTo("DONE");

        // nor once the new holder has finished: a's late dead letter or wait cannot undo b's DONE
        assertThat(a.log.markClaimEnded(id, EventStatus.DEAD, "a gave up")).isFalse();
        assertThat(a.log.markWaiting(id, clock.instant().plusSeconds(60), true, "a's late failure")).isFalse();
        assertThat(jdbc.queryForObject("SELECT status FROM event_log WHERE id = ?", String.class, id)).isEqualTo("DONE");
        assertThat(a.log.history(id)).extracting(EventHistoryEntry::detail).containsExactly("applied");
    }

    @Test
    void aProcessStartedAgainUnderItsNameTakesBackItsOwnClaimsAtOnce() {
        a.claims.claimReceived(2);
        b.claims.claimReceived(2);

        Replica restartedA = new Replica("replica-a", "10m");
        assertThat(restartedA.claims.takeBackOwn()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT id FROM event_log WHERE status = 'PROCESSING'", String.class))
                .as("b's claims stay b's").hasSize(2);
        assertThat(owners()).containsOnly("replica-b");
    }

    @Test
    void anOutcomeEndsTheClaimAndOnlyHeldClaimsAreRenewed() {
        List<InboxClaims.Claimed> claimed = a.claims.claimReceived(10);
        a.log.markCompleted(claimed.get(0).id(), EventStatus.DONE, "applied");
        a.log.markWaiting(claimed.get(1).id(), clock.instant().plusSeconds(60), true, "CRM answered 503");

        assertThat(a.claims.renewLeases()).isEqualTo(2);
        assertThat(a.held.size()).isEqualTo(2);
    }

    @Test
    void aClaimHeldLongerThanTheClaimTimeoutIsNoLongerRenewedAndComesBackAfterItsLease() throws Exception {
        Replica forgetful = new Replica("replica-c", "1ms");
        forgetful.claims.claimReceived(1);
        Thread.sleep(5); // its exchange was lost: no outcome within the claim timeout

        assertThat(forgetful.claims.renewLeases()).isZero();
        clock.advance(LEASE.plusSeconds(1));
        assertThat(b.claims.takeBackExpired()).isEqualTo(1);
    }

    @Test
    void aClaimOfAnEarlierReleaseWithoutOwnerCountsAsKeptForTheClaimTimeoutFromItsLastUpdate() {
        jdbc.update("UPDATE event_log SET status = 'PROCESSING', updated_at = ? WHERE id = 'evt_0'", clock.instant().atOffset(java.time.ZoneOffset.UTC));

        assertThat(b.claims.takeBackOwn()).isZero();
        clock.advance(LEASE.plusSeconds(1));
        assertThat(b.claims.takeBackExpired()).as("that release kept a claim for the claim timeout, renewing nothing").isZero();
        clock.advance(Duration.ofMinutes(10));
        assertThat(b.claims.takeBackExpired()).isEqualTo(1);
    }

    private List<String> owners() {
        return jdbc.queryForList("SELECT DISTINCT claimed_by FROM event_log WHERE status = 'PROCESSING'", String.class);
    }

    private static CanonicalEvent event(String id) {
        return new CanonicalEvent(id, "whop", "membership.activated", Instant.parse("2026-01-20T14:03:11Z"), "membership:" + id,
                "{}".getBytes(StandardCharsets.UTF_8), EventStatus.RECEIVED, "membership:" + id + ":2026-01-20T14:03:11Z");
    }

    /** What one process has: its name, its held claims, its claims and its event log. */
    private final class Replica {
        final HeldClaims held;
        final InboxClaims claims;
        final EventLog log;

        Replica(String name, String claimTimeout) {
            InboxProperties inbox = new Binder(new MapConfigurationPropertySource(Map.of(
                    "sluice.inbox.instance-id", name, "sluice.inbox.lease", LEASE.toString(),
                    "sluice.inbox.claim-timeout", claimTimeout))).bindOrCreate("sluice.inbox", InboxProperties.class);
            held = new HeldClaims(inbox);
            ClaimOwner owner = new ClaimOwner(inbox, new MockEnvironment());
            claims = new InboxClaims(jdbc, clock, owner, held, inbox);
            log = new EventLog(jdbc, clock, held, owner);
        }
    }
}
