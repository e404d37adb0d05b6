package io.sluice.crm;

import io.sluice.store.SqlTime;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

/**
 * Notes that still wait for their opportunity to be linked (table {@code crm_pending_note_link}). A connector
 * remembers a note here when it writes it before the membership's opportunity exists, and links the notes of a
 * membership when it writes that opportunity; both happen while the opportunity's {@code crm_write_version} row is
 * locked, so no note slips between the two.
 */
@Repository
public class PendingNoteLinks {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public PendingNoteLinks(JdbcTemplate jdbc, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
        this.jdbc = jdbc;
        this.clock = clock;
        io.micrometer.core.instrument.Gauge.builder("sluice.crm.notes.waiting", this::waitingOrNaN)
                .description("Notes written before their membership's opportunity, waiting to be linked to it")
                .register(registry);
    }

    private double waitingOrNaN() {
        try {
            return waitingAll();
        } catch (RuntimeException databaseAway) {
            return Double.NaN;
        }
    }

    public void remember(String provider, String noteKey, String membershipId) {
        jdbc.update("DELETE FROM crm_pending_note_link WHERE provider = ? AND note_key = ?", provider, noteKey);
        jdbc.update("INSERT INTO crm_pending_note_link (provider, note_key, membership_id, created_at) VALUES (?, ?, ?, ?)",
                provider, noteKey, membershipId, SqlTime.of(clock.instant()));
    }

    /** The keys of the notes waiting for the opportunity of {@code membershipId}. */
    public List<String> notesOf(String provider, String membershipId) {
        return jdbc.queryForList("SELECT note_key FROM crm_pending_note_link WHERE provider = ? AND membership_id = ? ORDER BY note_key",
                String.class, provider, membershipId);
    }

    /** {@link #notesOf} for several memberships in one statement: membership id to its waiting notes' keys, sorted. */
    public java.util.Map<String, List<String>> notesOfAll(String provider, Collection<String> membershipIds) {
        java.util.Map<String, List<String>> notes = new java.util.TreeMap<>();
        if (membershipIds.isEmpty()) {
            return notes;
        }
        List<Object> args = new java.util.ArrayList<>();
        args.add(provider);
        args.addAll(membershipIds);
        jdbc.query("SELECT membership_id, note_key FROM crm_pending_note_link WHERE provider = ? AND membership_id IN ("
                + String.join(", ", java.util.Collections.nCopies(membershipIds.size(), "?")) + ") ORDER BY membership_id, note_key", rs -> {
            notes.computeIfAbsent(rs.getString("membership_id"), m -> new java.util.ArrayList<>()).add(rs.getString("note_key"));
        }, args.toArray());
        return notes;
    }

    public void linked(String provider, Collection<String> noteKeys) {
        for (String noteKey : noteKeys) {
            jdbc.update("DELETE FROM crm_pending_note_link WHERE provider = ? AND note_key = ?", provider, noteKey);
        }
    }

    public long waitingAll() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM crm_pending_note_link", Long.class);
        return n == null ? 0 : n;
    }

    public int waiting(String provider) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM crm_pending_note_link WHERE provider = ?", Integer.class, provider);
        return n == null ? 0 : n;
    }
}
