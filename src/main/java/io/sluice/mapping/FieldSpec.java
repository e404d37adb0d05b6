package io.sluice.mapping;

import java.util.List;

/**
 * How one CRM field gets its value: from the first non-null of {@code paths} into the event, a constant or a
 * template; then {@code transforms} in order, then an optional value map. A field that ends without a value is
 * left out of the change, so the CRM keeps what it holds; with {@code clear} it is sent empty instead, clearing it.
 */
public record FieldSpec(List<String> paths, Object constant, Template template, List<String> transforms,
                        String valueMap, boolean required, Object defaultValue, boolean clear, int line) {

    public FieldSpec(List<String> paths, Object constant, Template template, List<String> transforms,
                     String valueMap, boolean required, Object defaultValue, int line) {
        this(paths, constant, template, transforms, valueMap, required, defaultValue, false, line);
    }

    /** Where the value comes from, for messages. */
    public String describeSource() {
        if (paths != null && !paths.isEmpty()) {
            return "path " + String.join(" | ", paths);
        }
        if (template != null) {
            return "template \"" + template.text() + "\"";
        }
        return "constant";
    }
}
