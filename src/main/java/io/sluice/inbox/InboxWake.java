package io.sluice.inbox;

import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Camel step: asks for a claim at once (the {@code inbox-wake} route, routes/inbox-poll.camel.yaml) because new
 * events are in the inbox. The wake-up is an exchange of its own, not a copy of the caller's: a copy sent to a seda
 * endpoint takes over the caller's completion callbacks, which would then run when the wake-up is done (or never,
 * when it is discarded because one is already pending) instead of when the caller's exchange is.
 */
@Component("inboxWake")
public class InboxWake {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InboxWake.class);

    /** One pending wake-up is enough: the claim takes everything stored until then. */
    static final String URI = "seda:inbox-wake?size=1&discardWhenFull=true&waitForTaskToComplete=Never";

    private final ProducerTemplate producer;
    /** Resolved at the first wake-up, not from the URI at every one (ingress wakes once per stored webhook). */
    private volatile Endpoint endpoint;

    public InboxWake(ProducerTemplate producer) {
        this.producer = producer;
    }

    /** Never fails its caller (it runs after commits too): a wake-up that cannot be sent waits for the next poll. */
    public void wake() {
        try {
            Endpoint target = endpoint;
            if (target == null) {
                target = producer.getCamelContext().getEndpoint(URI);
                endpoint = target;
            }
            producer.sendBody(target, null);
        } catch (RuntimeException e) {
            log.debug("Inbox wake-up not sent ({}); the next poll claims", e.getMessage());
        }
    }
}
