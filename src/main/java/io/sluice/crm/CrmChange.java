package io.sluice.crm;

import java.time.Instant;
import java.util.Map;

/**
 * What one event asks of the CRM, in the provider's field names: a person, an opportunity and a note, each
 * optional and each keyed ({@code email}, {@code membershipId}, {@code externalId}). {@code sourceUpdatedAt}
 * orders changes of one subject: an older one never overwrites a newer one.
 */
public record CrmChange(String eventId, String eventType, String group, Instant sourceUpdatedAt,
                        Map<String, Object> person, Map<String, Object> opportunity, Map<String, Object> note) {
}
