package io.sluice.store;

import java.time.Instant;

/** One state change of an event. */
public record EventHistoryEntry(Instant at, String status, String detail) {
}
