package io.sluice.store;

import java.util.List;

/** A page of a newest-first list, with the cursor for the next page (null on the last). */
public record Page<T>(List<T> items, String next) {
}
