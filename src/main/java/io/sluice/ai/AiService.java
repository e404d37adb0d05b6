package io.sluice.ai;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.ai.heuristic.HeuristicAi;
import io.sluice.store.AiUsageStore;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs AI operations on the configured provider and accounts for them: {@code ai_calls_total{provider,operation,
 * outcome}}, {@code ai_tokens_used_total{provider,direction}}, and the {@code ai_usage} ledger the daily token budget
 * is checked against. With the budget spent, or no model configured, the heuristic answers.
 */
@Service
public class AiService {

    private final AiProvider configured;
    private final HeuristicAi heuristic;
    private final PersonHistory history;
    private final AiUsageStore usage;
    private final MeterRegistry registry;
    private final AiProperties properties;
    private final Clock clock;
    private final io.sluice.store.PauseStore pauses;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AiService.class);

    private final io.github.resilience4j.circuitbreaker.CircuitBreaker breaker;

    public AiService(List<AiProvider> providers, HeuristicAi heuristic, PersonHistory history, AiUsageStore usage,
                     MeterRegistry registry, AiProperties properties, Clock clock, io.sluice.store.PauseStore pauses,
                     io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers) {
        this.pauses = pauses;
        // only failures of the model service count: a wrong answer, a spent quota or a refused key say nothing of its health
        this.breaker = HeuristicAi.NAME.equals(properties.provider()) ? null : breakers.circuitBreaker("ai-" + properties.provider(),
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .failureRateThreshold(50).minimumNumberOfCalls(10).slidingWindowSize(20)
                        .waitDurationInOpenState(java.time.Duration.ofSeconds(30))
                        .automaticTransitionFromOpenToHalfOpenEnabled(true)
                        // nor does a 429 (the service is up, only asked too fast) or a call Sluice's own budget kept back:
                        // ignored, they neither open the breaker nor close it on a half-open probe
                        .ignoreException(e -> !(e instanceof AiCallException call) || !call.retryable()
                                || e instanceof io.sluice.http.RateLimited)
                        .build());
        this.properties = properties;
        this.configured = providers.stream().filter(p -> p.name().equals(this.properties.provider())).findFirst().orElse(heuristic);
        this.heuristic = heuristic;
        this.history = history;
        this.usage = usage;
        this.registry = registry;
        this.clock = clock;
    }

    /** What Sluice knows of a person; {@link java.util.NoSuchElementException} when it knows nothing. */
    public PersonFacts person(String email) {
        PersonFacts facts = history.of(email);
        if (!facts.known()) {
            throw new java.util.NoSuchElementException("Sluice has no Whop events for " + facts.email());
        }
        return facts;
    }

    public AiResults.LeadScore scoreLead(PersonFacts person) {
        return run("score-lead", p -> p.scoreLead(person), AiResults.LeadScore::usage);
    }

    /**
     * {@link #scoreLead} for several people. With the heuristic configured, their usage is one ledger entry of as many
     * calls (one write for the batch, where each score would make its own).
     */
    public List<AiResults.LeadScore> scoreLeads(List<PersonFacts> people) {
        if (configured != heuristic) {
            return people.stream().map(this::scoreLead).toList();
        }
        List<AiResults.LeadScore> scores = people.stream().map(heuristic::scoreLead).toList();
        if (!scores.isEmpty()) {
            count(heuristic, "score-lead", "success", scores.size());
            account(heuristic, "score-lead", scores.size(), scores.stream().map(AiResults.LeadScore::usage).reduce(AiResults.Usage.NONE,
                    (a, b) -> new AiResults.Usage(a.inputTokens() + b.inputTokens(), a.outputTokens() + b.outputTokens(),
                            a.cachedTokens() + b.cachedTokens())));
        }
        return scores;
    }

    public AiResults.Sentiment sentiment(String text) {
        return run("sentiment", p -> p.sentiment(text), AiResults.Sentiment::usage);
    }

    public AiResults.Summary summarize(String text) {
        return run("summarize", p -> p.summarize(text), AiResults.Summary::usage);
    }

    public AiResults.EmailDraft draftEmail(PersonFacts person, String purpose) {
        return run("draft-email", p -> p.draftEmail(person, purpose), AiResults.EmailDraft::usage);
    }

    public AiResults.Generated generate(String prompt, int maxTokens) {
        return run("generate", p -> p.generate(prompt, maxTokens), AiResults.Generated::usage);
    }

    /** For {@code GET /api/status}: the provider, the budget and today's usage. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        LocalDate today = today();
        long used = usage.tokensOn(today);
        status.put("provider", configured.name());
        status.put("model", configured.model());
        status.put("dailyTokenBudget", properties.dailyTokenBudget());
        status.put("tokensUsedToday", used);
        status.put("budgetExhausted", budgetSpent(used));
        status.put("enrichOn", properties.enrichOn());
        status.put("usageToday", usage.on(today));
        return status;
    }

    private <T> T run(String operation, Function<AiProvider, T> call, Function<T, AiResults.Usage> usageOf) {
        // a spent day's budget, or the ai target paused (a spent quota pauses it): the model is not called at all
        // (with the heuristic configured there is nothing to look up: it answers either way)
        AiProvider provider = configured != heuristic && (budgetSpent(usage.tokensOn(today())) || pauses.isPaused("ai")) ? heuristic : configured;
        T result;
        try {
            AiProvider chosen = provider;
            result = provider == heuristic ? call.apply(provider) : guarded(() -> call.apply(chosen));
        } catch (AiOutputInvalidException | AiQuotaException e) {
            // a wrong answer twice, or no quota: the heuristic answers, and the result names it
            count(provider, operation, e instanceof AiQuotaException ? "quota" : "invalid_output");
            if (e instanceof AiOutputInvalidException invalid) {
                account(provider, operation, invalid.spent()); // the rejected answers were billed
            }
            if (e instanceof AiQuotaException && pauses.pause("ai", e.getMessage())) {
                log.error("Paused the ai target: {}. Lift it with DELETE /api/pauses/ai once fixed", e.getMessage());
            }
            log.warn("AI {} by {} fell back to the heuristic: {}", operation, provider.name(), e.getMessage());
            provider = heuristic;
            result = call.apply(heuristic);
        } catch (AiCallException e) {
            count(provider, operation, e.retryable() ? "retryable_error" : "error");
            if (e.retryable()) {
                throw e; // enrichment retries it with backoff; the API answers 503
            }
            log.warn("AI {} by {} failed ({}); the heuristic answers", operation, provider.name(), e.getMessage());
            provider = heuristic;
            result = call.apply(heuristic);
        } catch (RuntimeException e) {
            count(provider, operation, e instanceof AiUnavailableException ? "unavailable" : "error");
            throw e;
        }
        count(provider, operation, "success");
        account(provider, operation, usageOf.apply(result));
        return result;
    }

    private void account(AiProvider provider, String operation, AiResults.Usage used) {
        account(provider, operation, 1, used);
    }

    /** {@code calls} calls with {@code used} tokens between them: the ledger and the token counters. */
    private void account(AiProvider provider, String operation, int calls, AiResults.Usage used) {
        usage.add(today(), provider.name(), provider.model(), operation, calls, used.inputTokens(), used.outputTokens(), used.cachedTokens());
        tokens(provider, "input", used.inputTokens());
        tokens(provider, "output", used.outputTokens());
        tokens(provider, "cached", used.cachedTokens());
    }

    /** A model call behind the breaker; an open breaker fails the call (enrichment retries it), never passes it. */
    private <T> T guarded(java.util.function.Supplier<T> call) {
        try {
            return breaker.executeSupplier(call);
        } catch (io.github.resilience4j.circuitbreaker.CallNotPermittedException e) {
            // the breaker's own exception as the cause: the event waits at once, as for the CRM's breaker
            throw new AiCallException("the AI circuit breaker " + breaker.getName() + " is open after repeated failures; "
                    + "calls resume when it half-opens", true, java.time.Duration.ofSeconds(30), e);
        }
    }

    private boolean budgetSpent(long used) {
        return properties.dailyTokenBudget() > 0 && used >= properties.dailyTokenBudget() && configured != heuristic;
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private void count(AiProvider provider, String operation, String outcome) {
        count(provider, operation, outcome, 1);
    }

    private void count(AiProvider provider, String operation, String outcome, int calls) {
        Counter.builder("ai.calls").description("AI operations by provider, operation and outcome")
                .tag("provider", provider.name()).tag("operation", operation).tag("outcome", outcome)
                .register(registry).increment(calls);
    }

    private void tokens(AiProvider provider, String direction, long count) {
        Counter counter = Counter.builder("ai.tokens.used").description("AI tokens by provider and direction")
                .tag("provider", provider.name()).tag("direction", direction).register(registry);
        if (count > 0) {
            counter.increment(count);
        }
    }
}
