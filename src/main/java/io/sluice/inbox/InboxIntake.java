package io.sluice.inbox;

import io.sluice.event.CanonicalEvent;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.Map;

/** The JDBC transport: ingress stores each event in the inbox table before it answers. */
@Component
@ConditionalOnProperty(name = "sluice.transport", havingValue = "jdbc", matchIfMissing = true)
class InboxIntake implements EventIntake {

    private final GroupCommitInbox inbox;
    private final JdbcTemplate jdbc;

    InboxIntake(GroupCommitInbox inbox, JdbcTemplate jdbc) {
        this.inbox = inbox;
        this.jdbc = jdbc;
    }

    /** The inbox is the database: it answers. */
    @Override
    public Map<String, Object> check() {
        jdbc.queryForObject("SELECT 1", Integer.class);
        return Map.of("transport", "jdbc");
    }

    @Override
    public Accepted accept(CanonicalEvent event) {
        return inbox.store(event) ? Accepted.STORED : Accepted.DUPLICATE;
    }
}
