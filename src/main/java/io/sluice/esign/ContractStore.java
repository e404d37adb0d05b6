package io.sluice.esign;

import io.sluice.store.ErrorText;
import io.sluice.inbox.EventLog;
import io.sluice.store.Page;
import io.sluice.store.SqlTime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.esign.Contract;
import io.sluice.esign.ContractStatus;
import io.sluice.esign.ContractStep;
import io.sluice.esign.Signer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Contracts (table {@code contract}) and the steps providers reported for them ({@code contract_step}). */
@Repository
public class ContractStore {

    private static final String COLUMNS = "id, provider, provider_id, status, template_id, subject, message, signers, expires_at, "
            + "expiry_applied, membership_id, person_email, origin, once_key, last_error, created_at, updated_at, sent_at, finished_at";
    private static final TypeReference<List<Signer>> SIGNERS = new TypeReference<>() {
    };

    /** One reported step of a contract. */
    public record Step(long id, String contractId, String eventId, ContractStep step, String actor, String detail,
                       boolean advanced, Instant occurredAt, Instant recordedAt) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final RowMapper<Contract> row;

    public ContractStore(JdbcTemplate jdbc, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.row = (rs, n) -> new Contract(rs.getString("id"), rs.getString("provider"), rs.getString("provider_id"),
                ContractStatus.valueOf(rs.getString("status")), rs.getString("template_id"), rs.getString("subject"),
                rs.getString("message"), readSigners(rs.getString("signers")), SqlTime.read(rs, "expires_at"),
                rs.getBoolean("expiry_applied"), rs.getString("membership_id"), rs.getString("person_email"),
                rs.getString("origin"), rs.getString("once_key"), rs.getString("last_error"), SqlTime.read(rs, "created_at"),
                SqlTime.read(rs, "updated_at"), SqlTime.read(rs, "sent_at"), SqlTime.read(rs, "finished_at"));
    }

    /** Stores a new contract as QUEUED; false when its once-key is taken (the same request was made before). */
    public boolean insert(Contract contract) {
        var now = SqlTime.of(clock.instant());
        return jdbc.update("INSERT INTO contract (id, provider, status, template_id, subject, message, signers, expires_at, "
                        + "membership_id, person_email, origin, once_key, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                contract.id(), contract.provider(), ContractStatus.QUEUED.name(), contract.templateId(), contract.subject(),
                contract.message(), writeSigners(contract.signers()), SqlTime.of(contract.expiresAt()), contract.membershipId(),
                contract.personEmail(), contract.origin(), contract.onceKey(), now, now) == 1;
    }

    public Optional<Contract> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM contract WHERE id = ?", row, id).stream().findFirst();
    }

    /** Locks the contract's row until the current transaction ends: its steps are recorded one at a time. */
    public Optional<Contract> lock(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM contract WHERE id = ? FOR UPDATE", row, id).stream().findFirst();
    }

    public Optional<Contract> findByProviderId(String provider, String providerId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM contract WHERE provider = ? AND provider_id = ?", row, provider, providerId)
                .stream().findFirst();
    }

    public Optional<Contract> findByOnceKey(String onceKey) {
        return jdbc.query("SELECT " + COLUMNS + " FROM contract WHERE once_key = ?", row, onceKey).stream().findFirst();
    }

    /** The provider created the contract (and gave it this id) but has not sent it yet. */
    public void markCreated(String id, String providerId) {
        jdbc.update("UPDATE contract SET provider_id = ?, status = ?, last_error = NULL, updated_at = ? WHERE id = ? AND status = ?",
                providerId, ContractStatus.CREATED.name(), SqlTime.of(clock.instant()), id, ContractStatus.QUEUED.name());
    }

    /** The provider sent the contract as {@code providerId}; true when that moved it to SENT (false if a callback did first). */
    public boolean markSent(String id, String providerId) {
        var now = SqlTime.of(clock.instant());
        jdbc.update("UPDATE contract SET provider_id = ? WHERE id = ? AND provider_id IS NULL", providerId, id);
        return jdbc.update("UPDATE contract SET status = ?, last_error = NULL, sent_at = COALESCE(sent_at, ?), updated_at = ? "
                        + "WHERE id = ? AND status IN (?, ?)", ContractStatus.SENT.name(), now, now, id,
                ContractStatus.QUEUED.name(), ContractStatus.CREATED.name()) == 1;
    }

    /** Records the provider's id of a contract that has none yet. */
    public void assignProviderId(String id, String providerId) {
        jdbc.update("UPDATE contract SET provider_id = ?, updated_at = ? WHERE id = ? AND provider_id IS NULL", providerId,
                SqlTime.of(clock.instant()), id);
    }

    public void markExpiryApplied(String id) {
        jdbc.update("UPDATE contract SET expiry_applied = TRUE, updated_at = ? WHERE id = ?", SqlTime.of(clock.instant()), id);
    }

    /** Moves the contract to {@code status}; call with the row locked, after checking the move goes forward. */
    public void moveTo(String id, ContractStatus status) {
        var now = SqlTime.of(clock.instant());
        jdbc.update("UPDATE contract SET status = ?, updated_at = ?, sent_at = CASE WHEN ? THEN COALESCE(sent_at, ?) ELSE sent_at END, "
                        + "finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?",
                status.name(), now, status.atProvider(), now, status.terminal(), now, id);
    }

    /** A contract never sent is canceled; false when it is no longer waiting (it was sent meanwhile). */
    public boolean cancelQueued(String id) {
        return conditionalMove(id, ContractStatus.CANCELED, ContractStatus.QUEUED);
    }

    /** A document created but never sent (PandaDoc) was deleted at the provider. */
    public boolean cancelCreated(String id) {
        return conditionalMove(id, ContractStatus.CANCELED, ContractStatus.CREATED);
    }

    /** The provider was asked to void and confirms later. */
    public boolean requestVoid(String id) {
        return conditionalMove(id, ContractStatus.VOID_REQUESTED, ContractStatus.SENT, ContractStatus.VIEWED, ContractStatus.SIGNING);
    }

    /** The provider voided the contract. */
    public boolean voidSent(String id) {
        return conditionalMove(id, ContractStatus.VOIDED, ContractStatus.SENT, ContractStatus.VIEWED, ContractStatus.SIGNING,
                ContractStatus.VOID_REQUESTED);
    }

    private boolean conditionalMove(String id, ContractStatus to, ContractStatus... from) {
        var now = SqlTime.of(clock.instant());
        List<Object> args = new ArrayList<>(List.of(to.name(), now, to.terminal(), now, id));
        for (ContractStatus f : from) {
            args.add(f.name());
        }
        String in = String.join(", ", java.util.Collections.nCopies(from.length, "?"));
        return jdbc.update("UPDATE contract SET status = ?, updated_at = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END "
                + "WHERE id = ? AND status IN (" + in + ")", args.toArray()) == 1;
    }

    /** Keeps the reason the last attempt to send or void failed, for operators. */
    public void recordError(String id, String error) {
        jdbc.update("UPDATE contract SET last_error = ?, updated_at = ? WHERE id = ?", ErrorText.truncate(error), SqlTime.of(clock.instant()), id);
    }

    /** Records a step reported by event {@code eventId}; false when that event was recorded already. */
    public boolean recordStep(String contractId, String eventId, ContractStep step, String actor, String detail, boolean advanced,
                              Instant occurredAt) {
        return jdbc.update("INSERT INTO contract_step (contract_id, event_id, step, actor, detail, advanced, occurred_at, recorded_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", contractId, eventId, step.name(),
                truncate(actor, 700), ErrorText.truncate(detail), advanced, SqlTime.of(occurredAt), SqlTime.of(clock.instant())) == 1;
    }

    public Optional<Step> stepOfEvent(String eventId) {
        return jdbc.query("SELECT * FROM contract_step WHERE event_id = ?", this::step, eventId).stream().findFirst();
    }

    public List<Step> steps(String contractId) {
        return jdbc.query("SELECT * FROM contract_step WHERE contract_id = ? ORDER BY id", this::step, contractId);
    }

    /** Newest first; {@code before} is the cursor a previous page returned. */
    public Page<Contract> list(ContractStatus status, String membershipId, int limit, String before) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM contract WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (membershipId != null) {
            sql.append(" AND membership_id = ?");
            args.add(membershipId);
        }
        if (before != null) {
            EventLog.Cursor cursor = EventLog.Cursor.decode(before);
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(SqlTime.of(cursor.receivedAt()));
            args.add(SqlTime.of(cursor.receivedAt()));
            args.add(cursor.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        args.add(limit + 1);
        return Page.of(jdbc.query(sql.toString(), row, args.toArray()), limit,
                last -> new EventLog.Cursor(last.createdAt(), last.id()).encode());
    }

    /** How many contracts are in each status. */
    public Map<String, Long> countByStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("SELECT status, COUNT(*) AS n FROM contract GROUP BY status ORDER BY status",
                rs -> {
                    counts.put(rs.getString("status"), rs.getLong("n"));
                });
        return counts;
    }

    private Step step(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Step(rs.getLong("id"), rs.getString("contract_id"), rs.getString("event_id"), ContractStep.valueOf(rs.getString("step")),
                rs.getString("actor"), rs.getString("detail"), rs.getBoolean("advanced"), SqlTime.read(rs, "occurred_at"),
                SqlTime.read(rs, "recorded_at"));
    }

    private String writeSigners(List<Signer> signers) {
        try {
            return json.writeValueAsString(signers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Signer> readSigners(String text) {
        try {
            return json.readValue(text, SIGNERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("contract signers are not readable JSON", e);
        }
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
