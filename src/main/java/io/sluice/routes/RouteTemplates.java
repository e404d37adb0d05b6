package io.sluice.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;
import org.apache.camel.util.StringHelper;
import org.apache.camel.xml.LwModelToXMLDumper;
import org.apache.camel.xml.in.ModelParser;
import org.apache.camel.xml.io.XmlPullParserException;
import org.springframework.stereotype.Component;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes made from a {@code routeTemplate} by a {@code templatedRoute}. Camel fills a template's parameters into its
 * steps when it starts the route, but copies the route's description as written; Sluice fills them into the
 * description too, so that each route made from one template says what it does. Registered on the application's
 * CamelContext before the route files load (this bean), and on the scratch context that validates them.
 */
@Component
public class RouteTemplates {

    /** {@code {{name}}}, {@code {{?name}}} or {@code {{name:default}}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??([^{}:]+)(?::[^{}]*)?}}");

    RouteTemplates(CamelContext camelContext) {
        register(camelContext);
    }

    static void register(CamelContext context) {
        model(context).addRouteTemplateDefinitionConverter("*", RouteTemplates::toRoute);
    }

    /** Camel's own conversion, and the parameters filled into the description. */
    private static RouteDefinition toRoute(RouteTemplateDefinition template, Map<String, Object> parameters) {
        RouteDefinition route = template.asRouteDefinition();
        if (route.getDescription() != null) {
            route.setDescription(fill(route.getDescription(), parameters));
        }
        return route;
    }

    /** The text with each placeholder of a given parameter replaced by its value; other placeholders stay. */
    static String fill(String text, Map<String, Object> parameters) {
        return PLACEHOLDER.matcher(text).replaceAll(m -> {
            Object value = parameters.get(m.group(1).trim());
            return Matcher.quoteReplacement(value == null ? m.group() : value.toString());
        });
    }

    /**
     * Makes the routes of {@code instances} in {@code scratch} as Camel makes them at start, and adds them to
     * {@code routes} with their parameters filled in everywhere (Camel fills them only as it starts a route, and the
     * route-set contract reads the steps as they will run). Returns what is wrong, naming the templated route.
     */
    static List<String> instantiate(CamelContext scratch, List<RouteTemplateDefinition> templates,
                                    List<TemplatedRouteDefinition> instances, List<RouteDefinition> routes) {
        List<String> problems = new ArrayList<>();
        Model model = model(scratch);
        register(scratch);
        Set<String> ids = new LinkedHashSet<>();
        for (RouteTemplateDefinition template : templates) {
            if (!ids.add(template.getId())) {
                problems.add("two route templates have the id " + template.getId() + ": routes made from it would use"
                        + " whichever is loaded first");
            }
        }
        try {
            model.addRouteTemplateDefinitions(templates);
        } catch (Exception e) {
            problems.add(RouteFileValidator.rootMessage(e));
            return problems;
        }
        for (TemplatedRouteDefinition instance : instances) {
            String name = "templated route " + instance.getRouteId();
            RouteTemplateDefinition template = model.getRouteTemplateDefinition(instance.getRouteTemplateRef());
            if (template == null) {
                problems.add(name + " names route template '" + instance.getRouteTemplateRef()
                        + "', which no file in routes/ defines");
                continue;
            }
            Set<String> declared = new LinkedHashSet<>();
            if (template.getTemplateParameters() != null) {
                template.getTemplateParameters().stream().map(RouteTemplateParameterDefinition::getName)
                        .forEach(parameter -> declared.add(StringHelper.dashToCamelCase(parameter)));
            }
            if (instance.getParameters() != null) {
                for (TemplatedRouteParameterDefinition parameter : instance.getParameters()) {
                    // Camel ignores a parameter its template does not declare: a misspelt one would leave the default
                    if (!declared.contains(StringHelper.dashToCamelCase(parameter.getName()))) {
                        problems.add(name + " gives the parameter '" + parameter.getName() + "', which route template "
                                + template.getId() + " does not declare (it declares " + declared + ")");
                    }
                }
            }
            try {
                model.addRouteFromTemplatedRoute(instance);
                RouteDefinition route = filled(scratch, model.getRouteDefinition(instance.getRouteId()));
                if (route.getDescription() == null || route.getDescription().isBlank()) {
                    problems.add(name + " has no 'description' (route template " + template.getId()
                            + " gives none: one line saying what the flow does)");
                }
                routes.add(route);
            } catch (Exception e) {
                problems.add(name + ": " + RouteFileValidator.rootMessage(e));
            }
        }
        return problems;
    }

    /** The route as Camel dumps it with its parameters resolved, read back: a definition with the values it runs with. */
    private static RouteDefinition filled(CamelContext context, RouteDefinition route) throws Exception {
        String xml = new LwModelToXMLDumper().dumpModelAsXml(context, route, true, false, false);
        ModelParser parser = new ModelParser(new StringReader(xml)) {
            @Override
            protected boolean handleUnexpectedAttribute(String namespace, String name) throws XmlPullParserException {
                // the dump marks a route made from a template, which the parser has no attribute for
                return "template".equals(name) || super.handleUnexpectedAttribute(namespace, name);
            }
        };
        return parser.parseRoutesDefinition().orElseThrow().getRoutes().get(0);
    }

    private static Model model(CamelContext context) {
        return context.getCamelContextExtension().getContextPlugin(Model.class);
    }
}
