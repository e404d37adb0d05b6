package io.sluice.inbox;

import io.sluice.event.CanonicalEvent;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** The JDBC transport: ingress stores each event in the inbox table before it answers. */
@Component
@ConditionalOnProperty(name = "sluice.transport", havingValue = "jdbc", matchIfMissing = true)
class InboxIntake implements EventIntake {

    private final GroupCommitInbox inbox;

    InboxIntake(GroupCommitInbox inbox) {
        this.inbox = inbox;
    }

    @Override
    public Accepted accept(CanonicalEvent event) {
        return inbox.store(event) ? Accepted.STORED : Accepted.DUPLICATE;
    }
}
