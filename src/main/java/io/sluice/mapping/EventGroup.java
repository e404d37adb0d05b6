package io.sluice.mapping;

import java.util.List;
import java.util.Map;

/**
 * A family of Whop event types mapped the same way (memberships, payments, refunds, disputes), with the fields
 * for each CRM object it writes. {@code updatedAt} gives the time that orders changes of one subject.
 */
public record EventGroup(String name, List<String> types, FieldSpec updatedAt,
                         Map<String, FieldSpec> person, Map<String, FieldSpec> opportunity, Map<String, FieldSpec> note) {
}
