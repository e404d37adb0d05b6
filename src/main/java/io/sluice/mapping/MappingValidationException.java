package io.sluice.mapping;

import java.util.List;

/** A mapping file that cannot be used, with one {@code file:line: reason} per problem. */
public class MappingValidationException extends RuntimeException {

    private final List<String> problems;

    public MappingValidationException(List<String> problems) {
        super("Invalid mapping:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
