package io.sluice.ai;

/** The model's answer did not match the schema, even after one retry; the heuristic answers instead. */
public class AiOutputInvalidException extends RuntimeException {

    public AiOutputInvalidException(String message) {
        super(message);
    }
}
