package io.sluice.mapping;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields a CRM provider accepts for each object, and the key field that identifies each. A provider whose
 * objects take arbitrary properties (HubSpot) names the pattern of such names in {@code customFields}.
 */
public record CrmFieldSchema(Set<String> person, Set<String> opportunity, Set<String> note, Pattern customFields,
                             String customFieldsHint) {

    public static final String PERSON_KEY = "email";
    public static final String OPPORTUNITY_KEY = "membershipId";
    public static final String NOTE_KEY = "externalId";

    public CrmFieldSchema(Set<String> person, Set<String> opportunity, Set<String> note) {
        this(person, opportunity, note, null, null);
    }

    /** Whether {@code field} may appear in a mapping, given the provider's {@code known} fields for that object. */
    public boolean accepts(Set<String> known, String field) {
        return known.contains(field) || (customFields != null && customFields.matcher(field).matches());
    }
}
