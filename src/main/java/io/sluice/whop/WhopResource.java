package io.sluice.whop;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Whop resources Sluice pulls, each with the event type its records become and what
 * the CRM keys it by. Only payments can be pulled incrementally ({@code updated_after}); the others are swept.
 */
public enum WhopResource {

    MEMBERS("members", "member", "member.synced", false),
    MEMBERSHIPS("memberships", "membership", "membership.synced", false),
    PAYMENTS("payments", "payment", "payment.synced", true);

    private final String path;
    private final String singular;
    private final String eventType;
    private final boolean incremental;

    WhopResource(String path, String singular, String eventType, boolean incremental) {
        this.path = path;
        this.singular = singular;
        this.eventType = eventType;
        this.incremental = incremental;
    }

    /** The list endpoint under the API base, e.g. {@code /memberships}; also the name used in runs and reports. */
    public String path() {
        return path;
    }

    public String singular() {
        return singular;
    }

    /** The type of the canonical event a pulled record becomes, e.g. {@code membership.synced}. */
    public String eventType() {
        return eventType;
    }

    /** Whether Whop filters this resource by {@code updated_after}. */
    public boolean incremental() {
        return incremental;
    }

    /** The id the CRM knows this record by: the user id for a member (a person), the record id otherwise. */
    public String crmSubject(JsonNode record) {
        if (this == MEMBERS) {
            JsonNode user = record.path("user").path("id");
            return user.isTextual() ? user.asText() : null;
        }
        return record.path("id").asText(null);
    }

    public static Optional<WhopResource> byPath(String path) {
        return Arrays.stream(values()).filter(r -> r.path.equals(path)).findFirst();
    }
}
