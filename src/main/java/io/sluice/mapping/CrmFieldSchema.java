package io.sluice.mapping;

import java.util.Set;

/** The fields a CRM provider accepts for each object, and the key field that identifies each. */
public record CrmFieldSchema(Set<String> person, Set<String> opportunity, Set<String> note) {

    public static final String PERSON_KEY = "email";
    public static final String OPPORTUNITY_KEY = "membershipId";
    public static final String NOTE_KEY = "externalId";
}
