package io.sluice.routes;

import io.sluice.config.CrmProperties;
import io.sluice.crm.local.LocalCrmConnector;
import io.sluice.mapping.CrmFieldSchema;
import io.sluice.mapping.MappingLoader;
import io.sluice.mapping.MappingValidationException;
import io.sluice.mapping.MappingsProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates the operator-owned files: every {@code routes/*.camel.yaml} and the active {@code mappings/<provider>.yaml}.
 * As a bean it runs before Camel loads the routes, so an invalid file stops start-up with its reasons; with
 * {@code --validate} it runs alone and exits non-zero when something is wrong.
 */
@Component
public class ConfigurationValidator {

    /** CRM providers whose mapping can be validated, with the fields each accepts. */
    private static final Map<String, CrmFieldSchema> SCHEMAS = Map.of("local", LocalCrmConnector.SCHEMA,
            "twenty", io.sluice.crm.twenty.TwentyConnector.SCHEMA,
            "hubspot", io.sluice.crm.hubspot.HubSpotConnector.SCHEMA,
            "zoho", io.sluice.crm.zoho.ZohoConnector.SCHEMA,
            "odoo", io.sluice.crm.odoo.OdooConnector.SCHEMA);

    public ConfigurationValidator(RoutesProperties properties) {
        List<String> problems = validateRoutes(properties.dir());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid route files in " + properties.dir().toAbsolutePath()
                    + " (sluice.routes.dir):\n  " + String.join("\n  ", problems));
        }
    }

    public static List<String> validateRoutes(Path dir) {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": route directory does not exist (set sluice.routes.dir / SLUICE_ROUTES_DIR)");
            return problems;
        }
        Map<Path, String> contents = new java.util.LinkedHashMap<>();
        try {
            for (Path file : RouteFiles.in(dir)) {
                contents.put(file, Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            problems.add(dir + ": cannot be read (" + e.getMessage() + ")");
            return problems;
        }
        return validateRouteSet(contents);
    }

    /**
     * Every file on its own ({@link RouteFileValidator}), then, when each is valid, the set as a whole against what
     * the pipeline relies on ({@link PipelineContract}), the routes made from route templates included
     * ({@link RouteTemplates}).
     */
    public static List<String> validateRouteSet(Map<Path, String> contents) {
        List<String> problems = new ArrayList<>();
        CamelContext scratch = new DefaultCamelContext(false);
        try {
            contents.forEach((file, content) -> problems.addAll(RouteFileValidator.validate(file, content, scratch)));
            if (!problems.isEmpty()) {
                return problems;
            }
            RouteFileValidator.Definitions set = new RouteFileValidator.Definitions();
            for (Map.Entry<Path, String> file : contents.entrySet()) {
                RouteFileValidator.definitions(file.getKey(), file.getValue(), scratch, set);
            }
            // templated routes are made last, as at start: a template may live in another file than its routes
            problems.addAll(RouteTemplates.instantiate(scratch, set.templates, set.templatedRoutes, set.routes));
            problems.addAll(PipelineContract.check(set.routes, set.configurations));
        } catch (Exception e) {
            problems.add(RouteFileValidator.rootMessage(e));
        } finally {
            scratch.stop();
        }
        return problems;
    }

    public static List<String> validateMapping(Path dir, String provider) {
        CrmFieldSchema schema = SCHEMAS.get(provider);
        if (schema == null) {
            return List.of("CRM_PROVIDER=" + provider + " is not available in this version; available: " + SCHEMAS.keySet());
        }
        try {
            MappingLoader.load(dir.resolve(provider + ".yaml"), schema);
            return List.of();
        } catch (MappingValidationException e) {
            return e.problems();
        }
    }

    /** {@code java -jar sluice.jar --validate}: prints every problem and returns the process exit code. */
    public static int runStandalone(String[] args) {
        // only the verdict: Camel's own start/stop lines would bury it
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Binder settings = settings(args);
        Path routes;
        Path mappings;
        String provider;
        try {
            routes = settings.bindOrCreate("sluice.routes", RoutesProperties.class).dir();
            mappings = settings.bindOrCreate("sluice.mappings", MappingsProperties.class).dir();
            // bound alone: an unknown provider is reported by validateMapping rather than thrown by CrmProperties
            provider = settings.bind("sluice.crm.provider", String.class)
                    .orElseGet(() -> new Binder().bindOrCreate("sluice.crm", CrmProperties.class).provider());
        } catch (org.springframework.boot.context.properties.bind.BindException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println("Invalid configuration (1 problem):");
            System.err.println("  " + e.getName() + ": " + cause.getMessage());
            return 1;
        }
        List<String> problems = new ArrayList<>(validateRoutes(routes));
        problems.addAll(validateMapping(mappings, provider));
        if (problems.isEmpty()) {
            System.out.println("OK: routes in " + routes + " and mapping " + mappings.resolve(provider + ".yaml") + " are valid");
            return 0;
        }
        System.err.println("Invalid configuration (" + problems.size() + " problems):");
        problems.forEach(p -> System.err.println("  " + p));
        return 1;
    }

    /**
     * The settings as the application binds them, without starting it: command-line arguments, then the environment
     * (relaxed names), then the shipped application.yaml and its environment variable names; the records' defaults
     * for the rest.
     */
    private static Binder settings(String[] args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        try {
            for (PropertySource<?> yaml : new YamlPropertySourceLoader().load("application.yaml", new ClassPathResource("application.yaml"))) {
                environment.getPropertySources().addLast(yaml);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read application.yaml", e);
        }
        return Binder.get(environment);
    }
}
