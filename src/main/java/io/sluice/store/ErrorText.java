package io.sluice.store;

/** Error and detail text cut to what the tables' error and detail columns hold. */
public final class ErrorText {

    private static final int MAX_LENGTH = 2000;

    private ErrorText() {
    }

    /** {@code text} as stored: whole when it fits, otherwise cut with an ellipsis. */
    public static String truncate(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
    }
}
