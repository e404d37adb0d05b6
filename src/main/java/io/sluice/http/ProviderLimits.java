package io.sluice.http;

import io.sluice.config.DatabaseProduct;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request budget of every provider Sluice calls, by {@code <system>-<provider>} ({@code crm-hubspot}): what the
 * inbox asks before it claims work (none while the CRM's hold is on) and what {@code GET /api/status} shows. On
 * PostgreSQL, which replicas may share, each budget is kept in the database ({@link SharedRequestBudget}) and spent by
 * all of them together; on the embedded H2 (one process) in memory ({@link RollingWindowLimiter}).
 */
@Component
public class ProviderLimits {

    private final Map<String, RequestBudget> budgets = new ConcurrentHashMap<>();
    private final boolean shared;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    public ProviderLimits(JdbcTemplate jdbc, PlatformTransactionManager transactions, DatabaseProduct database) {
        this.shared = database.postgres();
        this.jdbc = jdbc;
        // a permit's own short transaction, even for a call made inside another (the OAuth refresh under its row lock)
        this.transaction = new TransactionTemplate(transactions);
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** The budget of a provider, made on first use; a second call with the same name shares it. */
    public RequestBudget limiter(String system, String provider, int limit, Duration window, Duration maxWait) {
        return budgets.computeIfAbsent(system + "-" + provider, name -> shared
                ? new SharedRequestBudget(name, limit, window, maxWait, jdbc, transaction)
                : new RollingWindowLimiter(name, limit, window, maxWait));
    }

    /** How long a provider's calls are held after its 429; zero when they are not (or it has no budget yet). */
    public Duration heldFor(String system, String provider) {
        RequestBudget budget = budgets.get(system + "-" + provider);
        return budget == null ? Duration.ZERO : budget.heldFor();
    }

    /** Lifts every provider's 429 hold (a provider reconfigured, or a test starting afresh); budgets stay. */
    public void releaseHolds() {
        budgets.values().forEach(RequestBudget::release);
    }

    public Collection<RequestBudget> all() {
        return budgets.values();
    }
}
