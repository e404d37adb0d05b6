package io.sluice.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests can set, so fixed signature vectors verify at the "now" they were made for. It runs on from the time
 * it was set (events that wait for their next try become due as they would in production); {@link #advance} jumps.
 */
public class MutableClock extends Clock {

    private record Anchor(Instant at, long nanos) {
    }

    private volatile Anchor anchor = new Anchor(Instant.now(), System.nanoTime());

    public void set(Instant instant) {
        this.anchor = new Anchor(instant, System.nanoTime());
    }

    public void advance(java.time.Duration duration) {
        set(instant().plus(duration));
    }

    public void reset() {
        set(Instant.now());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        Anchor a = anchor;
        return a.at().plusNanos(System.nanoTime() - a.nanos());
    }
}
