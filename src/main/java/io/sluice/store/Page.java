package io.sluice.store;

import java.util.List;
import java.util.function.Function;

/** A page of a newest-first list, with the cursor for the next page (null on the last). */
public record Page<T>(List<T> items, String next) {

    /**
     * The first {@code limit} of {@code rows}, which were read with {@code LIMIT limit + 1}: the extra row, when there
     * is one, says another page follows, from the cursor of the last row kept.
     */
    public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> cursor) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> page = List.copyOf(rows.subList(0, limit));
        return new Page<>(page, cursor.apply(page.get(limit - 1)));
    }
}
