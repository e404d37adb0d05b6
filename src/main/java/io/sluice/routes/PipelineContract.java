package io.sluice.routes;

import io.sluice.event.PipelineExchange;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;
import org.apache.camel.model.IdempotentConsumerDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the Java side of the pipeline relies on in {@code routes/}, checked over the whole route set before it runs
 * (at start, by {@code --validate} and on reload; docs/routes.md, "What the routes must keep"). An edit that breaks
 * one of these would lose events, strand them or apply them twice without an error anywhere:
 * <ul>
 *   <li>every {@code direct:} and {@code seda:} endpoint a route or Sluice sends to is read by a route;</li>
 *   <li>every {@code routeConfigurationId} names a route configuration that exists;</li>
 *   <li>the route reading {@code seda:process-event} has an error configuration, loads the event
 *       ({@code eventProcessor.load}) before an idempotent consumer on the {@code SluiceIdempotencyKey} header
 *       (not eager, not removing on failure), writes the CRM only inside it, and ends by marking the event done
 *       ({@code eventProcessor.complete}).</li>
 * </ul>
 */
public final class PipelineContract {

    /** Endpoints Sluice's Java code sends to; a route must read each. */
    static final List<String> SENT_BY_SLUICE = List.of("seda:process-event", "seda:whop-sync");
    static final String SINGLE_EVENT_ROUTE = "seda:process-event";
    /** What the single-event route hands the change to, each applying it to an outside system. */
    static final Set<String> APPLY_ENDPOINTS = Set.of("direct:crm-upsert", "direct:ai-enrich", "direct:esign-send",
            "direct:esign-callback-apply");

    private PipelineContract() {
    }

    public static List<String> check(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
        List<String> problems = new ArrayList<>();
        Set<String> read = new LinkedHashSet<>();
        routes.forEach(route -> read.add(endpoint(route.getInput().getEndpointUri())));
        Set<String> configurationIds = new LinkedHashSet<>();
        Set<String> sent = new LinkedHashSet<>(SENT_BY_SLUICE);
        Consumer<ProcessorDefinition<?>> collectSent = step -> {
            if (step instanceof SendDefinition<?> send && send.getUri() != null) {
                addInternal(sent, send.getUri());
            }
        };
        for (RouteConfigurationDefinition configuration : configurations) {
            configurationIds.add(configuration.getId());
            if (configuration.getErrorHandler() != null
                    && configuration.getErrorHandler().getErrorHandlerType() instanceof DeadLetterChannelDefinition dead
                    && dead.getDeadLetterUri() != null) {
                addInternal(sent, dead.getDeadLetterUri());
            }
            configuration.getOnExceptions().forEach(onException -> walk(onException.getOutputs(), collectSent));
        }
        for (RouteDefinition route : routes) {
            walk(route.getOutputs(), collectSent);
            String configuration = route.getRouteConfigurationId();
            if (configuration != null && !configuration.isBlank()) {
                for (String id : configuration.split(",")) {
                    if (!configurationIds.contains(id.trim())) {
                        problems.add("route " + route.getRouteId() + " names route configuration '" + id.trim()
                                + "', which no file in routes/ defines");
                    }
                }
            }
        }
        for (String target : sent) {
            if (!read.contains(target)) {
                problems.add(target + " is sent to but no route reads it: what goes there would be lost or fail");
            }
        }
        routes.stream().filter(r -> SINGLE_EVENT_ROUTE.equals(endpoint(r.getInput().getEndpointUri())))
                .forEach(route -> checkSingleEventRoute(route, problems));
        return problems;
    }

    private static void checkSingleEventRoute(RouteDefinition route, List<String> problems) {
        String name = "route " + route.getRouteId() + " (" + SINGLE_EVENT_ROUTE + ")";
        if (route.getRouteConfigurationId() == null || route.getRouteConfigurationId().isBlank()) {
            problems.add(name + " has no routeConfigurationId: failed events would neither wait and retry nor become dead letters"
                    + " (routes/_config/event-errors.camel.yaml)");
        }
        List<ProcessorDefinition<?>> steps = route.getOutputs();
        int load = indexOf(steps, step -> isBean(step, "eventProcessor", "load"));
        int guard = indexOf(steps, step -> step instanceof IdempotentConsumerDefinition);
        if (guard < 0) {
            problems.add(name + " has no idempotentConsumer at its top level: an event and its sibling (webhook and pull of"
                    + " the same change) would both be applied");
        } else {
            IdempotentConsumerDefinition idempotent = (IdempotentConsumerDefinition) steps.get(guard);
            String header = idempotent.getExpression() == null ? null : idempotent.getExpression().getExpression();
            if (!PipelineExchange.IDEMPOTENCY_KEY.equals(header == null ? null : header.trim())) {
                problems.add(name + "'s idempotentConsumer must key on the header " + PipelineExchange.IDEMPOTENCY_KEY
                        + ", not " + header);
            }
            if (!"false".equals(idempotent.getEager())) {
                problems.add(name + "'s idempotentConsumer must say eager: false: an eager key is remembered before the CRM"
                        + " is written, and a crash in between would skip the event");
            }
            if (!"false".equals(idempotent.getRemoveOnFailure())) {
                problems.add(name + "'s idempotentConsumer must say removeOnFailure: false: a failure would remove a key"
                        + " that the event's sibling added");
            }
            if (load < 0 || load > guard) {
                problems.add(name + " must call eventProcessor.load before its idempotentConsumer (it sets the key)");
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            if (i == guard) {
                continue;
            }
            walk(List.of(steps.get(i)), step -> {
                if (step instanceof SendDefinition<?> send && send.getUri() != null && APPLY_ENDPOINTS.contains(endpoint(send.getUri()))) {
                    problems.add(name + " sends to " + endpoint(send.getUri()) + " outside its idempotentConsumer: a change"
                            + " could be applied twice");
                }
            });
        }
        if (steps.isEmpty() || !isBean(steps.get(steps.size() - 1), "eventProcessor", "complete")) {
            problems.add(name + " must end with eventProcessor.complete: it marks the event done and remembers its key;"
                    + " without it every event would be claimed again");
        }
    }

    private static void addInternal(Set<String> sent, String uri) {
        String target = endpoint(uri);
        if (target.startsWith("direct:") || target.startsWith("seda:")) {
            sent.add(target);
        }
    }

    private static boolean isBean(ProcessorDefinition<?> step, String ref, String method) {
        return step instanceof BeanDefinition bean && ref.equals(bean.getRef()) && method.equals(bean.getMethod());
    }

    private static int indexOf(List<ProcessorDefinition<?>> steps, java.util.function.Predicate<ProcessorDefinition<?>> test) {
        for (int i = 0; i < steps.size(); i++) {
            if (test.test(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Every step, nested ones (choice branches, splits, filters, loops) included. */
    private static void walk(List<ProcessorDefinition<?>> steps, Consumer<ProcessorDefinition<?>> visit) {
        for (ProcessorDefinition<?> step : steps) {
            visit.accept(step);
            if (step instanceof ChoiceDefinition choice) {
                choice.getWhenClauses().forEach(when -> walk(when.getOutputs(), visit));
                if (choice.getOtherwise() != null) {
                    walk(choice.getOtherwise().getOutputs(), visit);
                }
            } else {
                walk(step.getOutputs(), visit);
            }
        }
    }

    /** {@code seda:name?options} and {@code seda://name} as {@code seda:name}. */
    static String endpoint(String uri) {
        String plain = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return plain.replaceFirst("^(\\w+):(//)?", "$1:");
    }
}
