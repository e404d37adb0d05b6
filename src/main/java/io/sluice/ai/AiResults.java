package io.sluice.ai;

import java.util.List;

/** What the AI operations answer, each naming the provider and model that produced it and the tokens used. */
public final class AiResults {

    private AiResults() {
    }

    /** Tokens of one call: prompt (of which cached) and completion. Zero for the heuristic. */
    public record Usage(long inputTokens, long outputTokens, long cachedTokens) {
        public static final Usage NONE = new Usage(0, 0, 0);

        public long total() {
            return inputTokens + outputTokens;
        }
    }

    public record LeadScore(int score, List<String> reasons, String provider, String model, Usage usage) {
    }

    public record Sentiment(String label, double score, String provider, String model, Usage usage) {
    }

    public record Summary(String summary, String provider, String model, Usage usage) {
    }

    public record EmailDraft(String subject, String body, String provider, String model, Usage usage) {
    }

    public record Generated(String text, String provider, String model, Usage usage) {
    }
}
