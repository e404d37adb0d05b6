package io.sluice.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why Sluice leaves a Whop event type alone when the active mapping has no group for it: written into the event's
 * history, so an operator reading {@code GET /api/events/{id}} knows whether that is by design or a gap in the
 * mapping. Matched on the most specific prefix; docs/mappings.md lists the same families.
 */
public final class IgnoredWhopTypes {

    private static final Map<String, String> REASONS = new LinkedHashMap<>();

    static {
        // exact types first, then families by prefix (the first match wins)
        REASONS.put("membership.trial_ending_soon", "a reminder: the membership's own events carry its state");
        REASONS.put("membership.metadata_updated", "the membership's metadata is not mapped; its state comes with membership.updated");
        REASONS.put("membership.experience_claimed", "claiming an experience changes no membership state the CRM holds");
        REASONS.put("payment.created", "a payment not attempted yet: payment.succeeded, payment.failed or payment.pending carries the outcome");
        REASONS.put("payment.affiliate_reward_created", "an affiliate's reward, not the customer's payment");
        REASONS.put("dispute_alert.created", "an early warning from the card network: dispute.created follows if the customer disputes");
        REASONS.put("member.created", "the person is written with their first membership, which carries their name and email");
        REASONS.put("app_membership.", "a membership of an app installed on the company, not a customer's membership");
        REASONS.put("app_payment.", "a payment for an app installed on the company, not a customer's payment");
        REASONS.put("invoice.", "invoices are not mapped: each charge arrives as a payment event");
        REASONS.put("entry.", "a waitlist entry: the person becomes a customer with a membership");
        REASONS.put("setup_intent.", "saving a payment method changes nothing the CRM holds");
        REASONS.put("resolution_center_case.", "a resolution case: the customer's side reaches the CRM as dispute and refund events");
        REASONS.put("resolution.", "a resolution case: the customer's side reaches the CRM as dispute and refund events");
        for (String family : new String[]{"withdrawal.", "payout_method.", "payout_account.", "payout.", "ledger_account.", "transfer.",
                "deposit.", "swap.", "card.", "card_application.", "card_transaction.", "financial_activity.", "account.", "ad_campaign."}) {
            REASONS.put(family, "the company's own account and money, not a customer's");
        }
        REASONS.put("identity_profile.", "identity verification of the company's own account");
        REASONS.put("verification.", "identity verification of the company's own account");
        for (String family : new String[]{"plan.", "product.", "export.", "shipment.", "issued_membership."}) {
            REASONS.put(family, "catalogue and operations events: no CRM person, opportunity or note changes");
        }
        REASONS.put("chat.", "community activity is not mapped");
        REASONS.put("course_lesson_interaction.", "course progress is not mapped");
    }

    private IgnoredWhopTypes() {
    }

    /** The reason an event of this type is ignored; for a type not named above, how to apply it. */
    public static String reason(String type) {
        if (type.indexOf('.') < 0 && type.indexOf('_') > 0) {
            return "'" + type + "' is a legacy v2 spelling, sent only to webhooks on API version v2 or v5, whose payload the mapping "
                    + "does not read: set the webhook's API version to v1 in Whop";
        }
        String exact = REASONS.get(type);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String prefix : REASONS.keySet()) {
            if (prefix.endsWith(".") && type.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best != null ? REASONS.get(best)
                : "no group of the active mapping lists '" + type + "'; add it to a group's types in mappings/ to apply it";
    }

    /** True when the reason is by design, not a type Sluice has never heard of. */
    public static boolean known(String type) {
        return !reason(type).startsWith("no group of the active mapping");
    }
}
