package io.sluice.webhook;

import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The moments Sluice replaces its ingress routes while it runs (a route reload). A sender must then be told to come
 * back ({@link WebhookAvailabilityFilter}), not get the 404 of a path no route serves, which it may take as final:
 * new requests are refused with 503 at once, and the replacement waits until the requests already past the filter
 * have been answered (a body still arriving, or the route's asynchronous handling: the filter counts a request until
 * it completes).
 */
@Component
public class IngressRestarts {

    /** Requests past the filter longer than this do not hold a reload back: Camel's route stop waits for them. */
    private static final Duration DRAIN = Duration.ofSeconds(5);

    private final AtomicInteger replacing = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Runs {@code replacement} with the ingress answering 503 and {@code Retry-After} meanwhile. */
    public <T> T during(Callable<T> replacement) throws Exception {
        replacing.incrementAndGet();
        try {
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            return replacement.call();
        } finally {
            replacing.decrementAndGet();
        }
    }

    /**
     * A request entering the ingress: true when it may go on (then {@link #leave} once it is through the filter
     * chain), false while routes are replaced. Counted before the check, so that a replacement starting meanwhile
     * waits for it.
     */
    boolean enter() {
        inFlight.incrementAndGet();
        if (replacing.get() > 0) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        inFlight.decrementAndGet();
    }
}
