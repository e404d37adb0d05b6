package io.sluice.ai;

/** The operation needs something the configured provider does not have (say, free text from the heuristic). */
public class AiUnavailableException extends RuntimeException {

    public AiUnavailableException(String message) {
        super(message);
    }
}
