package io.sluice.store;

/**
 * Replays dead letters that are not inbox events (a Whop page that could not be read, say). Dead letters of
 * other types go back to the inbox.
 */
public interface DeadLetterReplayHandler {

    boolean handles(String eventType);

    /** Starts the replay; returns what it started, for the log. */
    String replay(DeadLetter deadLetter);
}
