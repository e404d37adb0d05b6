package io.sluice.ai;

/**
 * One way of answering the AI operations: the offline heuristic, or a language model (OpenAI, Anthropic, an
 * OpenAI-compatible server). Customer text reaches a model only as data, never as instructions.
 */
public interface AiProvider {

    /** {@code heuristic}, {@code openai}, {@code anthropic} or {@code openai-compatible}. */
    String name();

    String model();

    AiResults.LeadScore scoreLead(PersonFacts person);

    AiResults.Sentiment sentiment(String text);

    AiResults.Summary summarize(String text);

    AiResults.EmailDraft draftEmail(PersonFacts person, String purpose);

    /** Free text from a prompt; a provider without a language model refuses with {@link AiUnavailableException}. */
    AiResults.Generated generate(String prompt, int maxTokens);
}
