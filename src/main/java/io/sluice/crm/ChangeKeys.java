package io.sluice.crm;

import io.sluice.mapping.CrmChange;

import io.sluice.mapping.CrmFieldSchema;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The keys a change is written under: the person's email (trimmed, lower-cased: CRMs match exactly), and the others. */
public final class ChangeKeys {

    private ChangeKeys() {
    }

    public static String email(CrmChange change) {
        Object email = change.person() == null ? null : change.person().get(CrmFieldSchema.PERSON_KEY);
        return email == null || email.toString().isBlank() ? null : email.toString().trim().toLowerCase(Locale.ROOT);
    }

    public static String membershipId(CrmChange change) {
        return field(change.opportunity(), CrmFieldSchema.OPPORTUNITY_KEY);
    }

    public static String noteKey(CrmChange change) {
        return field(change.note(), CrmFieldSchema.NOTE_KEY);
    }

    /** The membership a note belongs to (its opportunity), when the mapping names one. */
    public static String noteMembershipId(CrmChange change) {
        return field(change.note(), CrmFieldSchema.OPPORTUNITY_KEY);
    }

    /** A non-blank value of a mapped field, as text; null otherwise. */
    public static String field(Map<String, Object> fields, String name) {
        Object value = fields == null ? null : fields.get(name);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    /** Of two changes (indexes into {@code changes}), the one whose source time is newer: its values win in a batch. */
    public static int newer(List<CrmChange> changes, int a, int b) {
        return changes.get(b).sourceUpdatedAt().isAfter(changes.get(a).sourceUpdatedAt()) ? b : a;
    }
}
