package io.sluice.webhook;

import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The moments Sluice replaces its routes while it runs (a route reload): an ingress route is stopped and made again,
 * and a sender must then be told to come back ({@link WebhookAvailabilityFilter}), not get a 404 it may take as final.
 */
@Component
public class IngressRestarts {

    private final AtomicInteger replacing = new AtomicInteger();

    /** Runs {@code replacement} with the ingress answering 503 and {@code Retry-After} meanwhile. */
    public <T> T during(java.util.concurrent.Callable<T> replacement) throws Exception {
        replacing.incrementAndGet();
        try {
            return replacement.call();
        } finally {
            replacing.decrementAndGet();
        }
    }

    public boolean replacing() {
        return replacing.get() > 0;
    }
}
