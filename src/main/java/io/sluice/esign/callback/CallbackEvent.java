package io.sluice.esign.callback;

import io.sluice.esign.ContractStep;

import java.time.Instant;

/**
 * One event read from a provider's callback, in Sluice's terms.
 *
 * @param eventId    the provider's identity of this event, stable across its redeliveries (null when read back from
 *                   the event log, which keys it already)
 * @param type       the provider's own name of what happened ({@code envelope-completed}, {@code document.completed})
 * @param providerId the envelope, signature request or document it is about
 * @param contractId the Sluice contract id the provider echoed back (custom field or metadata), when it did
 * @param step       what it means for the contract; null for events Sluice does not act on (stored as IGNORED)
 * @param actorId    the provider's id of the signer it is about (recipient id, signature id), when it names one
 * @param occurredAt when the provider says it happened; null when it does not say
 * @param json       the event alone, as stored in the event log and read back for processing
 */
public record CallbackEvent(String eventId, String type, String providerId, String contractId, ContractStep step,
                            String actorId, String actorEmail, String actorName, String reason, Instant occurredAt,
                            byte[] json) {
}
