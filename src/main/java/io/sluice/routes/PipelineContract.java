package io.sluice.routes;

import io.sluice.event.PipelineExchange;
import org.apache.camel.ErrorHandlerFactory;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.CircuitBreakerDefinition;
import org.apache.camel.model.IdempotentConsumerDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.support.PatternHelper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the Java side of the pipeline relies on in {@code routes/}, checked over the whole route set before it runs
 * (at start, by {@code --validate} and on reload; docs/routes.md, "What the routes must keep"). An edit that breaks
 * one of these would lose events, strand them or apply them twice without an error anywhere. Sends are the steps
 * that name their endpoint ({@code to}, {@code toD}, {@code wireTap}, dead letter channels); endpoints computed at
 * run time ({@code recipientList}, {@code enrich}) cannot be followed here.
 */
public final class PipelineContract {

    /** Endpoints Sluice's Java code sends to; a route must read each. */
    static final List<String> SENT_BY_SLUICE = List.of("seda:process-event", "seda:whop-sync", "seda:process-batch-apply");
    static final String SINGLE_EVENT_ROUTE = "seda:process-event";
    static final String CRM_WRITE_ROUTE = "direct:crm-upsert";
    /** What the single-event route hands the change to, each applying it to an outside system. */
    static final Set<String> APPLY_ENDPOINTS = Set.of(CRM_WRITE_ROUTE, "direct:ai-enrich", "direct:esign-send",
            "direct:esign-callback-apply");
    static final String IDEMPOTENT_REPOSITORY = "processedEvents";
    /** The beans that check a sender's signature, with the method that does (null: the bean's own handler). */
    static final Map<String, Set<String>> SIGNATURE_CHECKS = Map.of("whopSignatureVerifier", Set.of("verify"),
            "esignCallbackIngress", Set.of("verify", "read"));

    private final Map<String, RouteDefinition> byInput = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private PipelineContract(List<RouteDefinition> routes) {
        Set<String> ids = new LinkedHashSet<>();
        for (RouteDefinition route : routes) {
            String input = endpoint(route.getInput().getEndpointUri());
            RouteDefinition other = internal(input) ? byInput.putIfAbsent(input, route) : null;
            if (other != null) {
                // a second reader of one queue takes part of its messages past the first one's guarantees
                problems.add("routes " + other.getRouteId() + " and " + route.getRouteId() + " both read " + input
                        + ": each message would go to one of them only");
            }
            if (route.getRouteId() != null && !ids.add(route.getRouteId())) {
                problems.add("two routes have the id " + route.getRouteId() + ": loading the second replaces the first");
            }
        }
    }

    public static List<String> check(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
        PipelineContract contract = new PipelineContract(routes);
        contract.checkEndpointsAreRead(routes, configurations);
        contract.checkWritesAndSchedule(routes);
        contract.checkConfigurationsExist(routes, configurations);
        routes.forEach(contract::checkIngressVerifies);
        RouteDefinition single = contract.byInput.get(SINGLE_EVENT_ROUTE);
        if (single != null) {
            contract.checkSingleEventRoute(single);
        }
        RouteDefinition write = contract.byInput.get(CRM_WRITE_ROUTE);
        if (write != null) {
            contract.checkCrmWriteRoute(write);
        }
        return contract.problems;
    }

    private void checkEndpointsAreRead(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
        Set<String> sent = new LinkedHashSet<>(SENT_BY_SLUICE);
        for (RouteConfigurationDefinition configuration : configurations) {
            if (configuration.getErrorHandler() != null
                    && configuration.getErrorHandler().getErrorHandlerType() instanceof DeadLetterChannelDefinition dead
                    && dead.getDeadLetterUri() != null) {
                sent.add(endpoint(dead.getDeadLetterUri()));
            }
            configuration.getOnExceptions().forEach(onException -> sent.addAll(sends(onException.getOutputs())));
        }
        routes.forEach(route -> sent.addAll(sends(route.getOutputs())));
        for (String target : sent) {
            if (internal(target) && !byInput.containsKey(target)) {
                problems.add(target + " is sent to but no route reads it: what goes there would be lost or fail");
            }
        }
    }

    /** The CRM is written only by the CRM write route; the schedule's runs are handed to whop-sync. */
    private void checkWritesAndSchedule(List<RouteDefinition> routes) {
        RouteDefinition write = byInput.get(CRM_WRITE_ROUTE);
        for (RouteDefinition route : routes) {
            boolean[] writes = {false};
            boolean[] ticks = {false};
            walk(route.getOutputs(), step -> {
                writes[0] |= isBean(step, "eventProcessor", "write");
                ticks[0] |= isBean(step, "whopSyncScheduler", "tick");
            });
            if (writes[0] && route != write) {
                problems.add("route " + route.getRouteId() + " calls eventProcessor.write: only the route reading "
                        + CRM_WRITE_ROUTE + " may (behind the CRM's breaker, called inside process-event's idempotent consumer)");
            }
            if (ticks[0] && !sends(route.getOutputs()).contains("seda:whop-sync")) {
                problems.add("route " + route.getRouteId() + " calls whopSyncScheduler.tick but does not send its runs to"
                        + " seda:whop-sync: the runs it resumes or starts would wait, RUNNING, until they count as orphaned");
            }
        }
    }

    private void checkConfigurationsExist(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
        for (RouteDefinition route : routes) {
            String ids = route.getRouteConfigurationId();
            if (ids == null || ids.isBlank()) {
                continue;
            }
            for (String id : ids.split(",")) {
                String pattern = id.trim();
                if (configurations.stream().noneMatch(c -> c.getId() != null && PatternHelper.matchPattern(c.getId(), pattern))) {
                    problems.add("route " + route.getRouteId() + " names route configuration '" + pattern
                            + "', which no file in routes/ defines");
                }
            }
        }
    }

    /** A route that stores what an HTTP sender posts checks the sender's signature first, at its top level. */
    private void checkIngressVerifies(RouteDefinition route) {
        String input = route.getInput() == null ? "" : endpoint(route.getInput().getEndpointUri());
        if (!input.startsWith("platform-http:")) {
            return;
        }
        List<ProcessorDefinition<?>> steps = route.getOutputs();
        int store = indexOf(steps, 0, step -> {
            boolean[] stores = {false};
            walk(List.of(step), s -> stores[0] |= s instanceof BeanDefinition bean && "inboxWriter".equals(bean.getRef()));
            return stores[0];
        });
        if (store < 0) {
            return;
        }
        int verify = indexOf(steps, 0, step -> step instanceof BeanDefinition bean && SIGNATURE_CHECKS.containsKey(bean.getRef())
                && (bean.getMethod() == null || SIGNATURE_CHECKS.get(bean.getRef()).contains(bean.getMethod())));
        if (verify < 0 || verify > store) {
            problems.add("route " + route.getRouteId() + " stores what " + input + " receives without checking its signature first:"
                    + " call " + String.join(".verify or ", new java.util.TreeSet<>(SIGNATURE_CHECKS.keySet())) + ".verify before inboxWriter,"
                    + " at the route's top level");
        }
    }

    private void checkSingleEventRoute(RouteDefinition route) {
        String name = "route " + route.getRouteId() + " (" + SINGLE_EVENT_ROUTE + ")";
        if (route.getRouteConfigurationId() == null || route.getRouteConfigurationId().isBlank()) {
            problems.add(name + " has no routeConfigurationId: failed events would neither wait and retry nor become dead letters"
                    + " (routes/_config/event-errors.camel.yaml)");
        }
        List<ProcessorDefinition<?>> steps = route.getOutputs();
        int load = indexOf(steps, 0, step -> isBean(step, "eventProcessor", "load"));
        int guard = indexOf(steps, 0, step -> step instanceof IdempotentConsumerDefinition);
        if (guard < 0) {
            problems.add(name + " has no idempotentConsumer at its top level: an event and its sibling (webhook and pull of"
                    + " the same change) would both be applied");
        } else {
            checkGuard(name, (IdempotentConsumerDefinition) steps.get(guard));
            if (load < 0 || load > guard) {
                problems.add(name + " must call eventProcessor.load before its idempotentConsumer (it sets the key)");
            }
            if (indexOf(steps, guard + 1, step -> isBean(step, "eventProcessor", "complete")) < 0) {
                problems.add(name + " must call eventProcessor.complete after its idempotentConsumer: it marks the event done"
                        + " and remembers its key; without it every event would be claimed again");
            }
        }
        // outside the guard nothing may reach what applies a change, directly or through other direct: routes
        for (int i = 0; i < steps.size(); i++) {
            if (i == guard) {
                continue;
            }
            for (String target : sends(List.of(steps.get(i)))) {
                String applied = APPLY_ENDPOINTS.contains(target) ? target : reachedApplyEndpoint(target);
                if (applied != null) {
                    problems.add(name + " sends to " + target + (applied.equals(target) ? "" : ", which reaches " + applied)
                            + " outside its idempotentConsumer: a change could be applied twice");
                }
            }
        }
        if (guard >= 0) {
            for (String target : sends(steps.get(guard).getOutputs())) {
                if (target.startsWith("seda:") && reachedApplyEndpoint(target) != null) {
                    problems.add(name + " hands a change to " + target + " inside its idempotentConsumer: it would be marked"
                            + " done before it is written, and a failed write lost");
                }
            }
        }
        // the routes it calls hand their failures back to it, where they wait, retry or dead-letter
        for (String target : reachable(sends(steps))) {
            RouteDefinition called = byInput.get(target);
            if (target.startsWith("direct:") && called != null && !hasNoErrorHandler(called)) {
                problems.add("route " + called.getRouteId() + " (" + target + ", called by " + route.getRouteId()
                        + ") must say errorHandler: noErrorHandler: {}: a failure it handled itself would let the event be"
                        + " marked done");
            }
        }
    }

    private void checkGuard(String name, IdempotentConsumerDefinition idempotent) {
        String language = idempotent.getExpression() == null ? null : idempotent.getExpression().getLanguage();
        String expression = idempotent.getExpression() == null ? "" : String.valueOf(idempotent.getExpression().getExpression()).trim();
        boolean keyed = ("header".equals(language) && PipelineExchange.IDEMPOTENCY_KEY.equals(expression))
                || ("simple".equals(language) && ("${header." + PipelineExchange.IDEMPOTENCY_KEY + "}").equals(expression));
        if (!keyed) {
            problems.add(name + "'s idempotentConsumer must key on the header " + PipelineExchange.IDEMPOTENCY_KEY + ", not "
                    + language + " " + expression);
        }
        String repository = idempotent.getIdempotentRepository() == null ? "" : idempotent.getIdempotentRepository().replaceFirst("^#(bean:)?", "");
        if (!IDEMPOTENT_REPOSITORY.equals(repository)) {
            problems.add(name + "'s idempotentConsumer must use idempotentRepository: " + IDEMPOTENT_REPOSITORY
                    + " (the keys every replica shares, remembered with the event marked done), not '" + repository + "'");
        }
        if (!"false".equals(idempotent.getEager())) {
            problems.add(name + "'s idempotentConsumer must say eager: false (written out; a placeholder is not resolved here):"
                    + " an eager key is remembered before the CRM is written, and a crash in between would skip the event");
        }
        if (!"false".equals(idempotent.getRemoveOnFailure())) {
            problems.add(name + "'s idempotentConsumer must say removeOnFailure: false (written out): a failure would remove"
                    + " a key that the event's sibling added");
        }
        if ("false".equals(idempotent.getSkipDuplicate())) {
            problems.add(name + "'s idempotentConsumer must not say skipDuplicate: false: duplicates would be applied again");
        }
    }

    private void checkCrmWriteRoute(RouteDefinition route) {
        String name = "route " + route.getRouteId() + " (" + CRM_WRITE_ROUTE + ")";
        List<CircuitBreakerDefinition> breakers = new ArrayList<>();
        List<ProcessorDefinition<?>> writesOutside = new ArrayList<>();
        collectWrites(route.getOutputs(), false, breakers, writesOutside);
        if (!writesOutside.isEmpty() || breakers.isEmpty()) {
            problems.add(name + " must call eventProcessor.write inside its circuitBreaker only: the breaker keeps a failing"
                    + " CRM from being called while it is down");
        }
        for (CircuitBreakerDefinition breaker : breakers) {
            if (breaker.getOnFallback() != null) {
                problems.add(name + "'s circuitBreaker must have no onFallback: a fallback answers for the CRM, and the event"
                        + " would be completed as if written");
            }
            if (breaker.getResilience4jConfiguration() == null
                    || !"true".equals(breaker.getResilience4jConfiguration().getThrowExceptionWhenHalfOpenOrOpenState())) {
                problems.add(name + "'s circuitBreaker must say throwExceptionWhenHalfOpenOrOpenState: true: otherwise an open"
                        + " breaker lets the event pass as written, and it is marked done with nothing sent");
            }
        }
    }

    private static void collectWrites(List<ProcessorDefinition<?>> steps, boolean inBreaker, List<CircuitBreakerDefinition> breakers,
                                      List<ProcessorDefinition<?>> writesOutside) {
        for (ProcessorDefinition<?> step : steps) {
            if (isBean(step, "eventProcessor", "write") && !inBreaker) {
                writesOutside.add(step);
            }
            if (step instanceof CircuitBreakerDefinition breaker) {
                collectWrites(breaker.getOutputs(), true, breakers, writesOutside);
                if (containsWrite(breaker.getOutputs())) {
                    breakers.add(breaker);
                }
                if (breaker.getOnFallback() != null) {
                    collectWrites(breaker.getOnFallback().getOutputs(), false, breakers, writesOutside);
                }
            } else {
                collectWrites(children(step), inBreaker, breakers, writesOutside);
            }
        }
    }

    private static boolean containsWrite(List<ProcessorDefinition<?>> steps) {
        boolean[] found = {false};
        walk(steps, step -> found[0] |= isBean(step, "eventProcessor", "write"));
        return found[0];
    }

    /** The first {@link #APPLY_ENDPOINTS} member the route reading {@code target} reaches, following direct: routes. */
    private String reachedApplyEndpoint(String target) {
        for (String reached : reachable(List.of(target), true)) {
            if (APPLY_ENDPOINTS.contains(reached)) {
                return reached;
            }
        }
        return null;
    }

    /** The internal endpoints reachable from {@code start} (included), following the routes that read them. */
    private Set<String> reachable(java.util.Collection<String> start) {
        return reachable(start, false);
    }

    /** With {@code followSeda}, through seda: queues too (a change handed to a queue is applied later, elsewhere). */
    private Set<String> reachable(java.util.Collection<String> start, boolean followSeda) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            String target = todo.pop();
            // process-event itself is behind its guard: a queue leading back to it applies nothing unguarded
            if (!internal(target) || (followSeda && SINGLE_EVENT_ROUTE.equals(target)) || !seen.add(target)) {
                continue;
            }
            RouteDefinition route = byInput.get(target);
            if (route != null && (target.startsWith("direct:") || followSeda)) {
                todo.addAll(sends(route.getOutputs()));
            }
        }
        return seen;
    }

    private static Set<String> sends(List<ProcessorDefinition<?>> steps) {
        Set<String> sent = new LinkedHashSet<>();
        walk(steps, step -> {
            String uri = step instanceof SendDefinition<?> send ? send.getUri()
                    : step instanceof ToDynamicDefinition dynamic ? dynamic.getUri() : null;
            if (uri != null && !uri.contains("${")) { // a uri computed per message cannot be followed here
                sent.add(endpoint(uri));
            }
        });
        return sent;
    }

    private static boolean hasNoErrorHandler(RouteDefinition route) {
        ErrorHandlerFactory factory = route.getErrorHandler() != null ? route.getErrorHandler().getErrorHandlerType()
                : route.isErrorHandlerFactorySet() ? route.getErrorHandlerFactory() : null;
        return factory instanceof NoErrorHandlerDefinition;
    }

    private static boolean internal(String endpoint) {
        return endpoint.startsWith("direct:") || endpoint.startsWith("seda:");
    }

    private static boolean isBean(ProcessorDefinition<?> step, String ref, String method) {
        return step instanceof BeanDefinition bean && ref.equals(bean.getRef()) && method.equals(bean.getMethod());
    }

    private static int indexOf(List<ProcessorDefinition<?>> steps, int from, java.util.function.Predicate<ProcessorDefinition<?>> test) {
        for (int i = from; i < steps.size(); i++) {
            if (test.test(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Every step, nested ones (choice branches, splits, filters, loops, breakers and their fallbacks) included. */
    private static void walk(List<ProcessorDefinition<?>> steps, Consumer<ProcessorDefinition<?>> visit) {
        for (ProcessorDefinition<?> step : steps) {
            visit.accept(step);
            walk(children(step), visit);
        }
    }

    private static List<ProcessorDefinition<?>> children(ProcessorDefinition<?> step) {
        List<ProcessorDefinition<?>> children = new ArrayList<>();
        if (step instanceof ChoiceDefinition choice) {
            choice.getWhenClauses().forEach(when -> children.addAll(when.getOutputs()));
            if (choice.getOtherwise() != null) {
                children.addAll(choice.getOtherwise().getOutputs());
            }
        } else {
            children.addAll(step.getOutputs());
            if (step instanceof CircuitBreakerDefinition breaker && breaker.getOnFallback() != null) {
                children.addAll(breaker.getOnFallback().getOutputs());
            }
        }
        return children;
    }

    /** {@code seda:name?options} and {@code seda://name} as {@code seda:name}. */
    static String endpoint(String uri) {
        String plain = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return plain.replaceFirst("^(\\w+):(//)?", "$1:");
    }
}
