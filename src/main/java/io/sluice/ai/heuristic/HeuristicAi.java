package io.sluice.ai.heuristic;

import io.sluice.ai.AiProvider;
import io.sluice.ai.AiResults;
import io.sluice.ai.AiUnavailableException;
import io.sluice.ai.PersonFacts;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.Locale;

/**
 * The offline provider, always available (and the fallback of the model providers): a rule-based lead score with
 * its reasons, lexicon sentiment, an extractive summary and templated email drafts. No tokens, no network.
 */
@Component
public class HeuristicAi implements AiProvider {

    public static final String NAME = "heuristic";
    private static final String MODEL = "rules-v1";
    private static final int SUMMARY_CHARS = 400;

    private final HeuristicLeadScore leadScore;
    private final HeuristicText text = new HeuristicText();

    public HeuristicAi(Clock clock) {
        this.leadScore = new HeuristicLeadScore(clock);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public AiResults.LeadScore scoreLead(PersonFacts person) {
        HeuristicLeadScore.Result result = leadScore.score(person);
        return new AiResults.LeadScore(result.score(), result.reasons(), NAME, MODEL, AiResults.Usage.NONE);
    }

    @Override
    public AiResults.Sentiment sentiment(String input) {
        HeuristicText.Sentiment sentiment = text.sentiment(input);
        return new AiResults.Sentiment(sentiment.label(), sentiment.score(), NAME, MODEL, AiResults.Usage.NONE);
    }

    @Override
    public AiResults.Summary summarize(String input) {
        return new AiResults.Summary(text.summarize(input, SUMMARY_CHARS), NAME, MODEL, AiResults.Usage.NONE);
    }

    @Override
    public AiResults.EmailDraft draftEmail(PersonFacts person, String purpose) {
        String name = person.firstName() == null ? "there" : person.firstName();
        String product = person.memberships().stream().map(PersonFacts.Membership::product).filter(p -> p != null)
                .reduce((a, b) -> b).orElse("your membership");
        String subject;
        String body;
        switch (purpose == null ? "" : purpose.trim().toLowerCase(Locale.ROOT)) {
            case "welcome" -> {
                subject = "Welcome to " + product;
                body = "Hi " + name + ",\n\nWelcome aboard! Your access to " + product + " is ready. Reply to this email if "
                        + "anything is unclear; we read every message.\n\nThanks for joining us.";
            }
            case "payment-failed" -> {
                subject = "Your payment for " + product + " did not go through";
                body = "Hi " + name + ",\n\nYour latest payment for " + product + " failed, so your access may stop soon. "
                        + "Please update your payment method from your billing page to keep it.\n\nThanks.";
            }
            case "renewal-reminder" -> {
                subject = product + " renews soon";
                body = "Hi " + name + ",\n\nA short reminder that " + product + " renews soon. Nothing to do if you want to "
                        + "keep it; you can manage it from your billing page.\n\nThanks for being with us.";
            }
            case "win-back" -> {
                subject = "We would love to have you back at " + product;
                body = "Hi " + name + ",\n\nWe noticed you left " + product + ". If something did not work for you, reply "
                        + "and tell us: we read every answer. Your place is still here whenever you want it.\n\nThanks.";
            }
            default -> {
                subject = "About " + product;
                body = "Hi " + name + ",\n\nA quick note about " + product + ". Reply to this email if we can help with "
                        + "anything.\n\nThanks.";
            }
        }
        return new AiResults.EmailDraft(subject, body, NAME, MODEL, AiResults.Usage.NONE);
    }

    @Override
    public AiResults.Generated generate(String prompt, int maxTokens) {
        throw new AiUnavailableException("generate needs a language model; the heuristic provider does not write free text. "
                + "Set AI_PROVIDER=openai, anthropic or openai-compatible");
    }
}
