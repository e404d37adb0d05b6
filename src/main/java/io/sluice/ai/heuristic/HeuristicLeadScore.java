package io.sluice.ai.heuristic;

import io.sluice.ai.PersonFacts;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A lead score from 0 to 100 with the reasons that produced it, from facts only (docs/ai.md lists the rules). It
 * is a heuristic: transparent and repeatable, not a prediction.
 */
final class HeuristicLeadScore {

    private static final int START = 50;
    private static final Set<String> SUCCEEDED = Set.of("succeeded", "paid");
    private static final Set<String> FAILED = Set.of("failed", "past_due", "uncollectible");
    private static final Set<String> REFUNDED = Set.of("refunded", "partially_refunded", "auto_refunded");

    record Result(int score, List<String> reasons) {
    }

    private final Clock clock;

    HeuristicLeadScore(Clock clock) {
        this.clock = clock;
    }

    Result score(PersonFacts person) {
        List<String> reasons = new ArrayList<>();
        int score = START;
        reasons.add("50 to start");
        score += membership(person, reasons);
        score += tenure(person, reasons);
        score += price(person, reasons);
        score += payments(person, reasons);
        if (person.refunds() > 0) {
            score += add(reasons, -Math.min(20, 10 * person.refunds()), person.refunds() + " refund(s)");
        }
        if (person.disputes() > 0) {
            score += add(reasons, -Math.min(40, 20 * person.disputes()), person.disputes() + " dispute(s)");
        }
        int clamped = Math.max(0, Math.min(100, score));
        if (clamped != score) {
            reasons.add("clamped to " + clamped);
        }
        return new Result(clamped, List.copyOf(reasons));
    }

    /** The best standing among the person's memberships decides. */
    private static int membership(PersonFacts person, List<String> reasons) {
        if (person.memberships().isEmpty()) {
            return add(reasons, -10, "no membership on record");
        }
        int best = Integer.MIN_VALUE;
        String why = null;
        for (PersonFacts.Membership m : person.memberships()) {
            String status = m.status().toLowerCase(Locale.ROOT);
            String product = m.product() == null ? m.id() : m.product();
            int points;
            String reason;
            if ((status.equals("active") || status.equals("completed")) && !m.cancelAtPeriodEnd()) {
                points = 20;
                reason = "active membership (" + product + ")";
            } else if (status.equals("trialing")) {
                points = 10;
                reason = "on a trial (" + product + ")";
            } else if (status.equals("active") || status.equals("canceling")) {
                points = -10;
                reason = "membership set to cancel at period end (" + product + ")";
            } else if (status.equals("past_due")) {
                points = -15;
                reason = "membership past due (" + product + ")";
            } else if (status.equals("canceled") || status.equals("expired")) {
                points = -25;
                reason = "membership ended (" + product + ")";
            } else {
                points = 0;
                reason = "membership " + status + " (" + product + ")";
            }
            if (points > best) {
                best = points;
                why = reason;
            }
        }
        return add(reasons, best, why);
    }

    private int tenure(PersonFacts person, List<String> reasons) {
        Instant first = person.memberships().stream().map(PersonFacts.Membership::createdAt).filter(t -> t != null)
                .min(Instant::compareTo).orElse(null);
        if (first == null) {
            return 0;
        }
        long months = Math.max(0, Duration.between(first, clock.instant()).toDays() / 30);
        return months == 0 ? 0 : add(reasons, (int) Math.min(15, 2 * months), "member for " + months + " month(s)");
    }

    private static int price(PersonFacts person, List<String> reasons) {
        PersonFacts.Payment largest = person.payments().stream()
                .filter(p -> p.total() != null && SUCCEEDED.contains(p.substatus().toLowerCase(Locale.ROOT)))
                .max((a, b) -> a.total().compareTo(b.total())).orElse(null);
        if (largest == null) {
            return 0;
        }
        String amount = largest.total().stripTrailingZeros().toPlainString() + " " + (largest.currency() == null ? "" : largest.currency().toUpperCase(Locale.ROOT));
        if (largest.total().compareTo(BigDecimal.valueOf(100)) >= 0) {
            return add(reasons, 10, "pays " + amount.trim() + " per payment");
        }
        if (largest.total().compareTo(BigDecimal.valueOf(30)) >= 0) {
            return add(reasons, 5, "pays " + amount.trim() + " per payment");
        }
        return 0;
    }

    private static int payments(PersonFacts person, List<String> reasons) {
        long succeeded = count(person, SUCCEEDED);
        long failed = count(person, FAILED);
        long refunded = count(person, REFUNDED);
        int points = 0;
        if (succeeded > 0) {
            points += add(reasons, (int) Math.min(15, 3 * succeeded), succeeded + " successful payment(s)");
        }
        if (failed > 0) {
            points += add(reasons, (int) -Math.min(24, 8 * failed), failed + " failed payment(s)");
        }
        if (refunded > 0) {
            points += add(reasons, (int) -Math.min(20, 10 * refunded), refunded + " refunded payment(s)");
        }
        return points;
    }

    private static long count(PersonFacts person, Set<String> substatuses) {
        return person.payments().stream().filter(p -> substatuses.contains(p.substatus().toLowerCase(Locale.ROOT))).count();
    }

    private static int add(List<String> reasons, int points, String why) {
        reasons.add((points >= 0 ? "+" : "") + points + " " + why);
        return points;
    }
}
