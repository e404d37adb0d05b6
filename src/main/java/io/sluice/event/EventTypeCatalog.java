package io.sluice.event;

/** Tells which event types Sluice applies; the others are stored and marked IGNORED. */
public interface EventTypeCatalog {

    boolean handles(String eventType);
}
