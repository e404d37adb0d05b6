package io.sluice.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one {@code routes/*.camel.yaml} before it is loaded: valid YAML, Camel's YAML DSL accepts it, every
 * route has an {@code id} and a {@code description}, and every {@code {{sluice.*}}} placeholder names a setting.
 * Problems are {@code file:line: reason}.
 */
public final class RouteFileValidator {

    private static final Pattern SETTING = Pattern.compile("\\{\\{[?!]?(sluice\\.[^}:]+)(?::[^}]*)?}}");

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
                    if ("route".equals(key(t))) {
                        checkRoute(file, t.getValueNode(), problems);
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
            Matcher placeholder = SETTING.matcher(lines[i]);
            while (placeholder.find()) {
                if (!KnownSettings.known(placeholder.group(1).trim())) {
                    problems.add(file + ":" + (i + 1) + ": " + placeholder.group() + " names no setting (docs/configuration.md lists them)");
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

    /** Lets Camel's YAML DSL build the route definitions, without starting anything. */
    private static List<String> parse(Path file, String content, CamelContext context) {
        try {
            definitions(file, content, context, new ArrayList<>(), new ArrayList<>());
            return List.of();
        } catch (Exception e) {
            return List.of(file + ": " + rootMessage(e));
        }
    }

    /** The routes and route configurations {@code content} defines, built by Camel's YAML DSL into the lists. */
    static void definitions(Path file, String content, CamelContext context, List<RouteDefinition> routes,
                            List<RouteConfigurationDefinition> configurations) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + file, content);
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
            if (builder instanceof RouteConfigurationBuilder configurationBuilder) {
                configurationBuilder.setCamelContext(context);
                configurationBuilder.configuration();
                configurations.addAll(configurationBuilder.getRouteConfigurationCollection().getRouteConfigurations());
            }
            if (builder instanceof org.apache.camel.builder.RouteBuilder routeBuilder) {
                routeBuilder.setCamelContext(context);
                routeBuilder.configure();
                routes.addAll(routeBuilder.getRouteCollection().getRoutes());
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

    private static String key(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
