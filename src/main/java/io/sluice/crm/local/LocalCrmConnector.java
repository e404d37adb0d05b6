package io.sluice.crm.local;

import io.sluice.mapping.CrmChange;
import io.sluice.crm.CrmConnector;
import io.sluice.crm.CrmWriteResult;
import io.sluice.event.Timestamps;
import io.sluice.mapping.CrmFieldSchema;
import io.sluice.mapping.MappingException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import io.sluice.crm.BatchOutcome;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code local} CRM: people, opportunities and notes in Sluice's own database. Writes are keyed upserts that
 * only apply when the change is at least as new as what is stored, and never blank a field with a missing value.
 * A batch is one transaction, so webhooks go the batch path too ({@link #groupsLiveEvents}).
 */
@Component
@ConditionalOnProperty(name = "sluice.crm.provider", havingValue = "local", matchIfMissing = true)
public class LocalCrmConnector implements CrmConnector {

    /** The fields the local store keeps. */
    public static final CrmFieldSchema SCHEMA = new CrmFieldSchema(
            Set.of("email", "name", "firstName", "lastName", "whopUserId", "leadScore", "leadScoreReasons"),
            Set.of("membershipId", "name", "amount", "currency", "product", "stage", "renewalDate"),
            Set.of("externalId", "text", "membershipId"));

    private static final Map<String, String> PERSON_COLUMNS = columns("leadScore", "lead_score", "leadScoreReasons",
            "lead_score_reasons", "name", "name", "firstName", "first_name",
            "lastName", "last_name", "whopUserId", "whop_user_id");
    private static final Map<String, String> OPPORTUNITY_COLUMNS = columns("name", "name", "amount", "amount",
            "currency", "currency", "product", "product", "stage", "stage", "renewalDate", "renewal_date",
            "personEmail", "person_email");
    private static final Map<String, String> NOTE_COLUMNS = columns("text", "text", "membershipId", "membership_id",
            "personEmail", "person_email");

    /** Changes written in one transaction. */
    static final int BATCH_SIZE = 100;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final TransactionTemplate transaction;

    public LocalCrmConnector(JdbcTemplate jdbc, Clock clock, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.transaction = transaction;
    }

    @Override
    public String provider() {
        return "local";
    }

    @Override
    public CrmFieldSchema fieldSchema() {
        return SCHEMA;
    }

    @Override
    @Transactional
    public CrmWriteResult apply(CrmChange change) {
        return write(change);
    }

    @Override
    public int batchSize() {
        return BATCH_SIZE;
    }

    /** A batch costs what its changes written one by one cost, less a commit each: live events are worth grouping too. */
    @Override
    public boolean groupsLiveEvents() {
        return true;
    }

    /**
     * Writes the changes in one transaction. A change whose values the store cannot take (an amount or a date that is
     * not one) fails alone and writes nothing; a failure of the database fails the whole batch, which writes nothing.
     */
    @Override
    public List<BatchOutcome> applyBatch(List<CrmChange> changes) {
        List<BatchOutcome> outcomes = new ArrayList<>(changes.size());
        transaction.executeWithoutResult(status -> {
            for (CrmChange change : changes) {
                try {
                    checkValues(change); // before any of its rows is written: a change is written whole or not at all
                } catch (MappingException e) {
                    outcomes.add(BatchOutcome.failed(e));
                    continue;
                }
                outcomes.add(BatchOutcome.of(write(change)));
            }
        });
        return outcomes;
    }

    private static void checkValues(CrmChange change) {
        checkValues(change.person(), PERSON_COLUMNS);
        checkValues(change.opportunity(), OPPORTUNITY_COLUMNS);
        checkValues(change.note(), NOTE_COLUMNS);
    }

    private static void checkValues(Map<String, Object> fields, Map<String, String> columns) {
        if (fields == null) {
            return;
        }
        fields.forEach((field, value) -> {
            String column = columns.get(field);
            if (column != null) {
                convert(column, value);
            }
        });
    }

    private CrmWriteResult write(CrmChange change) {
        String email = text(change.person() == null ? null : change.person().get(CrmFieldSchema.PERSON_KEY));
        Boolean opportunity = upsertLinkedToPerson(change.opportunity(), CrmFieldSchema.OPPORTUNITY_KEY, "crm_opportunity",
                "membership_id", OPPORTUNITY_COLUMNS, email, change);
        Boolean note = upsertLinkedToPerson(change.note(), CrmFieldSchema.NOTE_KEY, "crm_note", "external_id", NOTE_COLUMNS,
                email, change);
        boolean hasSubject = opportunity != null || note != null;
        if (hasSubject && !Boolean.TRUE.equals(opportunity) && !Boolean.TRUE.equals(note)) {
            return CrmWriteResult.STALE; // the subject already holds a newer change: write nothing
        }
        if (email != null) {
            Map<String, Object> values = new LinkedHashMap<>(change.person());
            values.remove(CrmFieldSchema.PERSON_KEY);
            upsert("crm_person", "email", email, PERSON_COLUMNS, values, change);
        }
        return CrmWriteResult.APPLIED;
    }

    /** Upserts an opportunity or note linked to the person's email; null when the change has none (no key). */
    private Boolean upsertLinkedToPerson(Map<String, Object> fields, String keyField, String table, String keyColumn,
                                         Map<String, String> columns, String email, CrmChange change) {
        if (fields == null || fields.get(keyField) == null) {
            return null;
        }
        Map<String, Object> values = new LinkedHashMap<>(fields);
        String key = text(values.remove(keyField));
        if (email != null) {
            values.put("personEmail", email); // a change without an email leaves the link as it is
        }
        return upsert(table, keyColumn, key, columns, values, change);
    }

    /**
     * Inserts the row, or updates it when the stored change is not newer. A field the change does not carry is not
     * touched (the mapping leaves it out); one the mapping clears arrives as null and clears its column.
     * Both statements are portable (PostgreSQL, H2 in PostgreSQL mode) and raise no duplicate-key error.
     */
    private boolean upsert(String table, String keyColumn, String key, Map<String, String> columns,
                           Map<String, Object> values, CrmChange change) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        // the mapping engine falls back to the event time, so every change carries one
        OffsetDateTime sourceTime = change.sourceUpdatedAt().atOffset(ZoneOffset.UTC);
        boolean tracksEvent = !"crm_person".equals(table);
        // an enrichment (a lead score) is written whatever Whop changed since, and leaves the row's source time alone
        boolean ordered = !change.enrichment();

        List<String> insertColumns = new ArrayList<>(List.of(keyColumn, "created_at", "updated_at"));
        List<Object> insertArgs = new ArrayList<>(List.of(key, now, now));
        if (ordered) {
            insertColumns.add("source_updated_at");
            insertArgs.add(sourceTime);
        }
        if (tracksEvent) {
            insertColumns.add("last_event_id");
            insertArgs.add(change.eventId());
        }
        List<String> setClauses = new ArrayList<>();
        List<Object> updateArgs = new ArrayList<>();
        for (var entry : values.entrySet()) {
            String column = columns.get(entry.getKey());
            if (column == null) {
                continue;
            }
            Object value = convert(column, entry.getValue());
            insertColumns.add(column);
            insertArgs.add(value);
            // a value Whop gave replaces the column; a null is a field the mapping clears
            setClauses.add(column + " = ?");
            updateArgs.add(value);
        }
        String placeholders = String.join(", ", java.util.Collections.nCopies(insertColumns.size(), "?"));
        int inserted = jdbc.update("INSERT INTO " + table + " (" + String.join(", ", insertColumns) + ") VALUES ("
                + placeholders + ") ON CONFLICT DO NOTHING", insertArgs.toArray());
        if (inserted == 1) {
            return true;
        }
        if (ordered) {
            setClauses.add("source_updated_at = ?");
            updateArgs.add(sourceTime);
        }
        setClauses.add("updated_at = ?");
        updateArgs.add(now);
        if (tracksEvent) {
            setClauses.add("last_event_id = ?");
            updateArgs.add(change.eventId());
        }
        updateArgs.add(key);
        if (!ordered) {
            return jdbc.update("UPDATE " + table + " SET " + String.join(", ", setClauses) + " WHERE " + keyColumn + " = ?",
                    updateArgs.toArray()) == 1;
        }
        updateArgs.add(sourceTime);
        return jdbc.update("UPDATE " + table + " SET " + String.join(", ", setClauses) + " WHERE " + keyColumn
                + " = ? AND (source_updated_at IS NULL OR source_updated_at <= ?)", updateArgs.toArray()) == 1;
    }

    private static Object convert(String column, Object value) {
        if (value == null) {
            return null;
        }
        return switch (column) {
            case "amount" -> decimal(value);
            case "lead_score" -> decimal(value).intValue();
            case "renewal_date" -> {
                Instant t = value instanceof Instant i ? i : Timestamps.parse(value.toString());
                if (t == null) {
                    throw new MappingException("renewalDate '" + value + "' is not a date");
                }
                yield t.atOffset(ZoneOffset.UTC);
            }
            default -> value.toString();
        };
    }

    /** Largest magnitude NUMERIC(19, 4) holds: 15 digits before the point. */
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1E15");

    private static BigDecimal decimal(Object value) {
        BigDecimal number;
        try {
            number = value instanceof BigDecimal d ? d : new BigDecimal(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new MappingException("amount '" + value + "' is not a number");
        }
        if (number.abs().compareTo(MAX_AMOUNT) >= 0) {
            throw new MappingException("number " + number.toEngineeringString() + " is out of range (at most 15 digits before the point)");
        }
        return number.setScale(Math.min(Math.max(number.scale(), 0), 4), java.math.RoundingMode.HALF_EVEN);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Map<String, String> columns(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
