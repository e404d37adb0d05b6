package io.sluice.mapping;

import java.time.Instant;
import java.util.Map;

/**
 * What one event asks of the CRM, in the provider's field names: a person, an opportunity and a note, each
 * optional and each keyed ({@code email}, {@code membershipId}, {@code externalId}). {@code sourceUpdatedAt}
 * orders changes of one subject: an older one never overwrites a newer one.
 */
public record CrmChange(String eventId, String eventType, String group, Instant sourceUpdatedAt,
                        Map<String, Object> person, Map<String, Object> opportunity, Map<String, Object> note) {

    /**
     * A result Sluice computed about the person (an AI lead score: {@code ai.*} types), not Whop state: it is never
     * ordered against Whop's changes (a newer Whop change applied first must not drop it), and it never moves the
     * person's source time forward.
     */
    public boolean enrichment() {
        return eventType != null && eventType.startsWith("ai.");
    }
}
