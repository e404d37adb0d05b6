package io.sluice.support;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WireMock extension that makes a stubbed SaaS API enforce a request limit the way a provider counts it: more than
 * {@code limit} requests in any {@code window} (rolling) get the provider's own 429 answer instead of the stub's, and
 * count towards the window too. Records the busiest window it saw.
 */
public final class RollingWindow implements ResponseDefinitionTransformerV2 {

    private final ArrayDeque<Long> arrivals = new ArrayDeque<>();
    private final AtomicInteger tooMany = new AtomicInteger();
    private int limit;
    private long windowNanos;
    private int busiest;
    private ResponseDefinition limited;

    /** From now on, at most {@code limit} requests in any {@code window}; the rest get {@code answer}. */
    public synchronized void enforce(int limit, Duration window, ResponseDefinitionBuilder answer) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.limited = answer == null ? null : answer.build();
        arrivals.clear();
        busiest = 0;
        tooMany.set(0);
    }

    public synchronized void off() {
        limit = 0;
    }

    public synchronized int busiestWindow() {
        return busiest;
    }

    public int tooManyAnswers() {
        return tooMany.get();
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        return admits() ? event.getResponseDefinition() : limited;
    }

    /** Counts a request that arrives now: false when it is one too many for the window (or no limit is on). */
    public boolean admits() {
        return !over();
    }

    private synchronized boolean over() {
        if (limit == 0) {
            return false;
        }
        long now = System.nanoTime();
        while (!arrivals.isEmpty() && now - arrivals.peekFirst() >= windowNanos) {
            arrivals.pollFirst();
        }
        arrivals.addLast(now);
        busiest = Math.max(busiest, arrivals.size());
        if (arrivals.size() > limit) {
            tooMany.incrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public boolean applyGlobally() {
        return true;
    }

    @Override
    public String getName() {
        return "rolling-window";
    }
}
