package io.sluice.store;

import java.time.Instant;

/** An event that failed after every retry, with its error, attempts and original payload. */
public record DeadLetter(long id, String eventId, String eventType, String error, int attempts, byte[] payload,
                         Instant createdAt, Instant replayedAt) {
}
