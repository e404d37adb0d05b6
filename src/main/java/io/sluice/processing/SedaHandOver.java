package io.sluice.processing;

import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Hands a message to a seda queue from Java, even on a thread a stop or a route reload has interrupted: there Camel's
 * seda producer fails the put at once and drops the message, which for claimed events would strand them until their
 * claims run out. The interrupt is kept for whoever asked for it.
 */
@Component
public class SedaHandOver {

    private final ProducerTemplate producer;

    public SedaHandOver(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void send(String uri, Object body) {
        boolean interrupted = Thread.interrupted();
        try {
            producer.sendBody(uri, body);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
