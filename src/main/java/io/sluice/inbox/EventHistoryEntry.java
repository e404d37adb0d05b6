package io.sluice.inbox;

import java.time.Instant;

/** One state change of an event. */
public record EventHistoryEntry(Instant at, String status, String detail) {
}
