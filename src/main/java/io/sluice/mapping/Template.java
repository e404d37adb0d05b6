package io.sluice.mapping;

import java.util.ArrayList;
import java.util.List;

/**
 * A text with placeholders: {@code "Payment of {data.total} {data.currency|uppercase}"}. Inside braces, a path
 * into the event, then optional {@code |name} steps, each a transform or a value map.
 */
public record Template(String text, List<Part> parts) {

    /** Literal text, or a placeholder with a path and its steps. */
    public record Part(String literal, String path, List<String> steps) {
    }

    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            if (open < 0) {
                parts.add(new Part(text.substring(i), null, List.of()));
                break;
            }
            if (open > i) {
                parts.add(new Part(text.substring(i, open), null, List.of()));
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{' at position " + open);
            }
            String[] pieces = text.substring(open + 1, close).split("\\|");
            String path = pieces[0].trim();
            if (path.isEmpty()) {
                throw new IllegalArgumentException("empty placeholder at position " + open);
            }
            List<String> steps = new ArrayList<>();
            for (int p = 1; p < pieces.length; p++) {
                steps.add(pieces[p].trim());
            }
            parts.add(new Part(null, path, List.copyOf(steps)));
            i = close + 1;
        }
        return new Template(text, List.copyOf(parts));
    }
}
