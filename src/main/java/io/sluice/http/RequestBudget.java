package io.sluice.http;

import java.time.Duration;

/**
 * A provider's request budget: at most {@link #limit()} calls in any window of {@link #window()}, however the windows
 * are placed, and a hold after the provider's own 429 that stops every caller at once. {@link RollingWindowLimiter}
 * keeps it in this process; {@link SharedRequestBudget} keeps it in the shared database, so that the replicas on one
 * database spend one budget between them.
 */
public interface RequestBudget {

    /** A permit taken: give it to {@link #sent} once the call is answered. */
    record Permit(int slot, long stamp) {
    }

    /** No permit within the wait allowed: {@link #availableIn()} says when one will be. */
    final class PermitUnavailableException extends RuntimeException {

        private final Duration availableIn;
        private final boolean held;

        PermitUnavailableException(Duration availableIn, boolean held) {
            this(held ? "held after a rate-limit answer for another " + availableIn.toMillis() + " ms"
                    : "the request budget is spent for another " + availableIn.toMillis() + " ms", availableIn, held);
        }

        PermitUnavailableException(String message, Duration availableIn, boolean held) {
            super(message);
            this.availableIn = availableIn;
            this.held = held;
        }

        public Duration availableIn() {
            return availableIn;
        }

        /** True when the provider's own 429 holds the calls, not Sluice's budget. */
        public boolean held() {
            return held;
        }
    }

    /**
     * Takes a permit, waiting for it up to the wait allowed.
     *
     * @throws PermitUnavailableException when the provider's hold is on, or no permit comes within the wait allowed
     */
    Permit acquire();

    /** The permit's call was answered: the budget counts it from now (the provider counted it when it arrived). */
    void sent(Permit permit);

    /** Holds every call for {@code wait} from now (a later hold than the current one wins). */
    void holdFor(Duration wait);

    /** Lifts the hold at once. */
    void release();

    /** How long the current hold lasts; zero when there is none. */
    Duration heldFor();

    String name();

    int limit();

    Duration window();
}
