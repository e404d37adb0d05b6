package io.sluice.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one {@code routes/*.camel.yaml} before it is loaded: valid YAML, Camel's YAML DSL accepts it, every route
 * has an {@code id} and a {@code description}, every route template an {@code id}, a {@code description} and a
 * {@code description} for each parameter, every templated route a {@code routeId} and the template it is made
 * from, and every {@code {{sluice.*}}} placeholder names a setting. Problems are {@code file:line: reason}.
 */
public final class RouteFileValidator {

    private static final Pattern SETTING = Pattern.compile("\\{\\{[?!]?(sluice\\.[^}:]+)(:[^}]*)?}}");

    private RouteFileValidator() {
    }

    public static List<String> validate(Path file, String content, CamelContext scratchContext) {
        List<String> problems = new ArrayList<>();
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(content));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            problems.add(file + ":" + line + ": not valid YAML: " + e.getProblem());
            return problems;
        }
        if (root == null) {
            return problems; // an empty file defines no routes
        }
        if (!(root instanceof SequenceNode items)) {
            problems.add(file + ":" + line(root) + ": a route file is a YAML list ('- route: ...')");
            return problems;
        }
        for (Node item : items.getValue()) {
            if (item instanceof MappingNode map) {
                for (NodeTuple t : map.getValue()) {
                    switch (key(t)) {
                        case "route" -> checkRoute(file, t.getValueNode(), problems);
                        case "routeTemplate" -> checkTemplate(file, t.getValueNode(), problems);
                        case "templatedRoute" -> checkTemplatedRoute(file, t.getValueNode(), problems);
                        default -> { }
                    }
                }
            }
        }
        problems.addAll(unknownSettings(file, content));
        if (problems.isEmpty()) {
            problems.addAll(parse(file, content, scratchContext));
        }
        return problems;
    }

    /** A misspelt setting would only fail when Camel starts the route: the placeholders carry no default to fall back on. */
    private static List<String> unknownSettings(Path file, String content) {
        List<String> problems = new ArrayList<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().startsWith("#")) {
                continue; // a comment names settings in prose
            }
            Matcher placeholder = SETTING.matcher(lines[i]);
            while (placeholder.find()) {
                // one with a default of its own (an operator's key, or a bound one without a default) resolves either
                // way, and an optional one ({{?key}}) may stay empty
                String key = placeholder.group(1).trim();
                if (placeholder.group(2) != null && KnownSettings.known(key) && KnownSettings.hasDefault(key)) {
                    // the bound setting always answers, so the file's default would silently never apply
                    problems.add(file + ":" + (i + 1) + ": " + placeholder.group() + " gives a default to a setting that has its own"
                            + " (docs/configuration.md): this one would never be used; write {{" + key + "}} and set the value in"
                            + " the configuration");
                    continue;
                }
                if (placeholder.group(2) != null || placeholder.group().startsWith("{{?")) {
                    continue;
                }
                if (!KnownSettings.known(key)) {
                    problems.add(file + ":" + (i + 1) + ": " + placeholder.group() + " names no setting (docs/configuration.md lists them)");
                } else if (!KnownSettings.hasDefault(key)) {
                    // unset, it would stop the route from starting: only known at start, or at the next reload
                    problems.add(file + ":" + (i + 1) + ": " + placeholder.group() + " names a setting that has no default and may"
                            + " be unset: write {{?" + key + "}} or {{" + key + ":<value>}}");
                }
            }
        }
        return problems;
    }

    private static void checkRoute(Path file, Node route, List<String> problems) {
        boolean id = false;
        boolean description = false;
        if (route instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                id |= "id".equals(key(t)) && t.getValueNode() instanceof ScalarNode s && !s.getValue().isBlank();
                description |= "description".equals(key(t)) && t.getValueNode() instanceof ScalarNode s && !s.getValue().isBlank();
            }
        }
        if (!id) {
            problems.add(file + ":" + line(route) + ": route has no 'id' (every route needs one, Hawtio and metrics show it)");
        }
        if (!description) {
            problems.add(file + ":" + line(route) + ": route has no 'description' (one line saying what the flow does)");
        }
    }

    private static void checkTemplate(Path file, Node template, List<String> problems) {
        if (!has(template, "id")) {
            problems.add(file + ":" + line(template) + ": route template has no 'id' (templated routes name it)");
        }
        if (!has(template, "description")) {
            problems.add(file + ":" + line(template) + ": route template has no 'description' (what the routes made from it do)");
        }
        Node parameters = value(template, "parameters");
        if (parameters instanceof SequenceNode list) {
            for (Node parameter : list.getValue()) {
                if (!has(parameter, "description")) {
                    Node name = value(parameter, "name");
                    problems.add(file + ":" + line(parameter) + ": parameter " + (name instanceof ScalarNode s ? "'" + s.getValue() + "' " : "")
                            + "of the route template has no 'description' (what it sets, for whoever writes a templated route)");
                }
            }
        }
    }

    private static void checkTemplatedRoute(Path file, Node templated, List<String> problems) {
        if (!has(templated, "routeId")) {
            problems.add(file + ":" + line(templated) + ": templated route has no 'routeId' (every route needs one, Hawtio and metrics show it)");
        }
        if (!has(templated, "routeTemplateRef")) {
            problems.add(file + ":" + line(templated) + ": templated route has no 'routeTemplateRef' (the route template it is made from)");
        }
    }

    /** The ids of the route templates {@code content} defines. */
    static Set<String> templatesDefined(String content) {
        return topLevel(content, "routeTemplate", "id");
    }

    /** The route templates the templated routes of {@code content} are made from. */
    static Set<String> templatesUsed(String content) {
        return topLevel(content, "templatedRoute", "routeTemplateRef");
    }

    private static Set<String> topLevel(String content, String item, String field) {
        Set<String> values = new LinkedHashSet<>();
        try {
            if (new Yaml(new LoaderOptions()).compose(new StringReader(content)) instanceof SequenceNode items) {
                for (Node node : items.getValue()) {
                    if (node instanceof MappingNode map) {
                        for (NodeTuple t : map.getValue()) {
                            if (item.equals(key(t)) && value(t.getValueNode(), field) instanceof ScalarNode s) {
                                values.add(s.getValue());
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // not valid YAML: the file is refused with its reasons before anything is reloaded
        }
        return values;
    }

    private static boolean has(Node map, String field) {
        return value(map, field) instanceof ScalarNode s && !s.getValue().isBlank();
    }

    private static Node value(Node map, String field) {
        if (map instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (field.equals(key(t))) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    /** What route files define, as Camel's YAML DSL builds it. */
    static final class Definitions {
        final List<RouteDefinition> routes = new ArrayList<>();
        final List<RouteConfigurationDefinition> configurations = new ArrayList<>();
        final List<RouteTemplateDefinition> templates = new ArrayList<>();
        final List<TemplatedRouteDefinition> templatedRoutes = new ArrayList<>();
    }

    /** Lets Camel's YAML DSL build the route definitions, without starting anything. */
    private static List<String> parse(Path file, String content, CamelContext context) {
        try {
            definitions(file, content, context, new Definitions());
            return List.of();
        } catch (Exception e) {
            return List.of(file + ": " + rootMessage(e));
        }
    }

    /**
     * The routes, route configurations, route templates and templated routes {@code content} defines, built by
     * Camel's YAML DSL into {@code into}.
     */
    static void definitions(Path file, String content, CamelContext context, Definitions into) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + file, content);
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
            if (builder instanceof RouteConfigurationBuilder configurationBuilder) {
                configurationBuilder.setCamelContext(context);
                configurationBuilder.configuration();
                into.configurations.addAll(configurationBuilder.getRouteConfigurationCollection().getRouteConfigurations());
            }
            if (builder instanceof org.apache.camel.builder.RouteBuilder routeBuilder) {
                routeBuilder.setCamelContext(context);
                routeBuilder.configure();
                into.routes.addAll(routeBuilder.getRouteCollection().getRoutes());
                into.templates.addAll(routeBuilder.getRouteTemplateCollection().getRouteTemplates());
                into.templatedRoutes.addAll(routeBuilder.getTemplatedRouteCollection().getTemplatedRoutes());
            }
        }
    }

    static String rootMessage(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }

    /** The key in camelCase, as Camel's YAML DSL reads {@code templated-route} as {@code templatedRoute}. */
    private static String key(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? org.apache.camel.util.StringHelper.dashToCamelCase(s.getValue()) : "";
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
