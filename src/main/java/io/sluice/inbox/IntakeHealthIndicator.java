package io.sluice.inbox;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * {@code intake} in the health and readiness groups: whether this replica can make an accepted event durable now (the
 * database with {@code sluice.transport=jdbc}, a Kafka broker with {@code kafka}). With Kafka, a database outage
 * leaves replicas ready: they go on accepting webhooks, which wait on Kafka until the inbox can take them.
 */
@Component("intake")
class IntakeHealthIndicator extends AbstractHealthIndicator {

    private final EventIntake intake;

    IntakeHealthIndicator(EventIntake intake) {
        super("events cannot be made durable now");
        this.intake = intake;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        builder.up().withDetails(intake.check());
    }
}
