package io.sluice.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** Sluice's default rule (docs/mappings.md) from a Whop membership to one of five stages; each provider's mapping maps the stage on. */
public final class MembershipStageRule {

    public static final String TRIAL = "trial";
    public static final String WON = "won";
    public static final String AT_RISK = "at_risk";
    public static final String LOST = "lost";
    public static final String OPEN = "open";

    public static final java.util.List<String> STAGES = java.util.List.of(TRIAL, WON, AT_RISK, LOST, OPEN);

    private MembershipStageRule() {
    }

    public static String stageOf(JsonNode membership) {
        String status = membership.path("status").asText("");
        boolean cancelAtPeriodEnd = membership.path("cancel_at_period_end").asBoolean(false);
        return switch (status) {
            case "trialing" -> TRIAL;
            case "active" -> cancelAtPeriodEnd ? AT_RISK : WON;
            case "completed" -> cancelAtPeriodEnd ? AT_RISK : WON;
            case "canceling", "past_due" -> AT_RISK;
            case "canceled", "expired" -> LOST;
            default -> OPEN; // drafted, unresolved and values Whop adds later
        };
    }
}
