package io.sluice.ai;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What Sluice knows of a person from the Whop events it stored: their memberships (latest state of each), payments
 * (latest state of each), refunds and disputes. The input of lead scoring and email drafts; built by
 * {@link PersonHistory}, never from free text.
 */
public record PersonFacts(String email, String name, List<Membership> memberships, List<Payment> payments, int refunds,
                          int disputes) {

    public record Membership(String id, String status, boolean cancelAtPeriodEnd, String product, Instant createdAt,
                             Instant renewalEnd) {
    }

    public record Payment(String id, String substatus, BigDecimal total, String currency) {
    }

    public boolean known() {
        return !memberships.isEmpty() || !payments.isEmpty() || refunds > 0 || disputes > 0;
    }

    public String firstName() {
        if (name == null || name.isBlank()) {
            return null;
        }
        return name.trim().split("\\s+")[0];
    }
}
