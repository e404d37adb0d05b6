package io.sluice.ai;

/** The model's answer did not match the schema, even after one retry; the heuristic answers instead. */
public class AiOutputInvalidException extends RuntimeException {

    private final AiResults.Usage spent;

    public AiOutputInvalidException(String message, AiResults.Usage spent) {
        super(message);
        this.spent = spent;
    }

    /** The tokens the rejected answers cost: billed all the same. */
    public AiResults.Usage spent() {
        return spent;
    }
}
