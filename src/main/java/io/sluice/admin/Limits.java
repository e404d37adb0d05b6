package io.sluice.admin;

/** Page size bounds shared by the list endpoints. */
final class Limits {

    static final int DEFAULT = 50;
    static final int MAX = 500;

    private Limits() {
    }

    static int of(Integer requested) {
        if (requested == null) {
            return DEFAULT;
        }
        if (requested < 1 || requested > MAX) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX);
        }
        return requested;
    }
}
