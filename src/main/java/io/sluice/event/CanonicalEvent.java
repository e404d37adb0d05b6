package io.sluice.event;

import java.time.Instant;

/**
 * One event as Sluice stores and processes it, whatever its source.
 *
 * @param id          the source's own delivery id (the {@code webhook-id}, or {@code <resource>:<id>:<updated_at>} for pulls)
 * @param source      {@code whop}, or an e-sign provider
 * @param type        the source's event type, e.g. {@code membership.activated}
 * @param occurredAt  the resource's {@code updated_at}, else the event timestamp: orders changes of one subject
 * @param subjectKey  the resource the event is about (membership, payment, ... id)
 * @param payload     the body exactly as received
 * @param status      {@link EventStatus#RECEIVED} for handled types, {@link EventStatus#IGNORED} for others
 * @param changeKey   the resource state the event describes ({@code whop:<id>:<updated_at>}), shared by a webhook and a
 *                    pull of the same change so that it applies once; null when the source gives no update time
 * @param personEmail the person the event is about (lower-cased email), for their history; null when unknown
 */
public record CanonicalEvent(String id, String source, String type, Instant occurredAt, String subjectKey,
                             byte[] payload, EventStatus status, String changeKey, String personEmail) {

    public CanonicalEvent(String id, String source, String type, Instant occurredAt, String subjectKey, byte[] payload,
                          EventStatus status, String changeKey) {
        this(id, source, type, occurredAt, subjectKey, payload, status, changeKey, null);
    }

    /** The email of the Whop user a record is about ({@code user}, or a refund's or dispute's {@code payment.user}). */
    public static String whopPersonEmail(com.fasterxml.jackson.databind.JsonNode data) {
        com.fasterxml.jackson.databind.JsonNode email = data.path("user").path("email");
        if (!email.isTextual()) {
            email = data.path("payment").path("user").path("email");
        }
        if (!email.isTextual() || email.asText().isBlank() || email.asText().length() > 320) {
            return null;
        }
        return email.asText().trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The key of one state of a Whop resource: its id and the update time it carries. */
    public static String whopChangeKey(String resourceId, Instant updatedAt) {
        return resourceId == null || updatedAt == null ? null : "whop:" + resourceId + ":" + updatedAt;
    }
}
