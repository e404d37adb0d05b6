package io.sluice.inbox;

import io.sluice.event.CanonicalEvent;

/**
 * Where ingress hands an accepted event before it answers the sender: the inbox table itself
 * ({@code sluice.transport=jdbc}) or Kafka ({@code kafka}), whose consumers then store it in the inbox. Whichever it
 * is, the event is durable when {@link #accept} returns.
 */
public interface EventIntake {

    /** What became of an accepted event. */
    enum Accepted {
        /** stored in the inbox, new */
        STORED,
        /** an event with its id is in the inbox already */
        DUPLICATE,
        /** durable on its way to the inbox (Kafka acknowledged it): whether it is new is decided there */
        QUEUED
    }

    /**
     * Makes the event durable.
     *
     * @throws IntakeUnavailableException when it could not be (the sender is answered 503 and retries)
     * @throws org.springframework.dao.DataAccessException when the inbox could not store it (the same answer)
     */
    Accepted accept(CanonicalEvent event);

    /**
     * Whether an event accepted now would be made durable: the readiness of this replica, which takes it out of the
     * load balancer while it could only answer 503.
     *
     * @return what to show about it (never a credential)
     * @throws Exception when it would not
     */
    java.util.Map<String, Object> check() throws Exception;

    /** The event was not made durable, and waiting may fix that (a broker down, a timeout). */
    class IntakeUnavailableException extends RuntimeException {
        public IntakeUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
