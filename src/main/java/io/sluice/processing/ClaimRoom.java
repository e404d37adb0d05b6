package io.sluice.processing;

import io.sluice.config.InboxProperties;
import io.sluice.inbox.HeldClaims;
import io.sluice.inbox.InboxWake;
import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.QueueReference;
import org.apache.camel.component.seda.SedaComponent;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many more events this process may claim: {@code sluice.inbox.max-held} less the events it has on hand, queued
 * for processing or in it (counted in Camel, not from the claims it holds in the database: an exchange that ended
 * without its outcome reaching the database takes no room). When a claim finds no room, the claims that end next wake
 * the claimer as soon as half of it is free, so that claiming follows what the consumers take, not a timer. A group
 * of live events travels as one message, so its events are counted from when they are claimed until their batch
 * ends ({@link #grouped}, {@link #groupDone}); one lost without ending stops counting after the claim timeout.
 */
@Component
public class ClaimRoom {

    /** The seda queues claimed events wait in, and the routes that take them from there. */
    static final List<String> QUEUES = List.of("process-event", "process-batch", "process-batch-apply");
    static final List<String> ROUTES = List.of("process-event", "process-batch-apply");

    private final CamelContext camel;
    private final InboxWake wake;
    private final int maxHeld;
    /** A claim found no room: the releases that bring what is on hand down to half wake the claimer. */
    private final AtomicBoolean wanted = new AtomicBoolean();
    /** The events of claimed groups whose batch has not ended. */
    private final io.sluice.inbox.ExpiringIds inGroups;

    public ClaimRoom(CamelContext camel, InboxWake wake, InboxProperties inbox, HeldClaims held) {
        this.camel = camel;
        this.inGroups = new io.sluice.inbox.ExpiringIds(inbox.claimTimeout());
        this.wake = wake;
        this.maxHeld = inbox.maxHeld();
        held.whenReleased(this::released);
    }

    /** How many more may be claimed now (0: the claimer is woken once half of sluice.inbox.max-held is free). */
    public int room() {
        int room = maxHeld - onHand();
        if (room <= 0) {
            // a release between the count and this flag wakes nobody: the poll interval is the backstop
            wanted.set(true);
        }
        return Math.max(0, room);
    }

    /** The events of a group just claimed, before it is queued. */
    void grouped(List<String> ids) {
        inGroups.add(ids);
    }

    /** The batch of these grouped events ended: each is settled, or handed to the single path (where it counts). */
    void groupDone(List<String> ids) {
        inGroups.remove(ids);
        released();
    }

    /** Events queued for processing or being processed in this process. */
    int onHand() {
        int onHand = inGroups.size();
        SedaComponent seda = camel.getComponent("seda", SedaComponent.class);
        for (String queue : QUEUES) {
            QueueReference reference = seda.getQueues().get(queue);
            onHand += reference == null ? 0 : reference.getQueue().size();
        }
        for (String route : ROUTES) {
            onHand += camel.getInflightRepository().size(route);
        }
        return onHand;
    }

    private void released() {
        if (wanted.get() && onHand() <= maxHeld / 2 && wanted.compareAndSet(true, false)) {
            wake.wake();
        }
    }
}
