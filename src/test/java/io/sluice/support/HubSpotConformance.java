package io.sluice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Captures what a WireMock HubSpot received and answered, and checks it with {@code conformance/hubspot/check.mjs}
 * against the models of HubSpot's published Node.js client (installed with {@code npm ci} when missing).
 */
public final class HubSpotConformance {

    public static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    public static final Path CHECKER_DIR = PROJECT.resolve("conformance/hubspot");
    public static final Path OUTPUT_DIR = PROJECT.resolve("target/conformance");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Sluice's name for each HubSpot call it makes (the operation of its ApiRequest), by method and path. */
    private static final Map<Pattern, String> OPERATIONS = Map.of(
            Pattern.compile("POST /crm/v3/objects/contacts/batch/upsert"), "contact.upsert",
            Pattern.compile("POST /crm/v3/objects/deals/batch/upsert"), "deal.upsert",
            Pattern.compile("POST /crm/v3/objects/notes/batch/upsert"), "note.upsert",
            Pattern.compile("GET /crm/v3/pipelines/deals"), "pipelines.read",
            Pattern.compile("PUT /crm/v4/objects/deals/[^/]+/associations/default/contacts/[^/]+"), "deal.associate",
            Pattern.compile("POST /crm/v4/associations/deals/contacts/batch/associate/default"), "deal.associate.batch",
            Pattern.compile("POST /crm/v3/objects/notes"), "note.create",
            Pattern.compile("PATCH /crm/v3/objects/notes/[^/]+"), "note.update",
            Pattern.compile("PUT /crm/v4/objects/notes/[^/]+/associations/default/(contacts|deals)/[^/]+"), "note.associate");

    private HubSpotConformance() {
    }

    /** The checker's exit code and everything it printed. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Every request the server received, oldest first, with the answer it gave: {operation, method, path,
     * requestBody, responseStatus, responseBody}. A batch upsert of more than one input is named with " batch".
     */
    public static List<ObjectNode> exchanges(WireMockServer server) {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(events);
        List<ObjectNode> exchanges = new ArrayList<>();
        for (ServeEvent event : events) {
            LoggedRequest request = event.getRequest();
            LoggedResponse response = event.getResponse();
            String method = request.getMethod().value();
            String path = URI.create(request.getUrl()).getPath();
            ObjectNode exchange = JSON.createObjectNode();
            JsonNode requestBody = body(request.getBodyAsString());
            String operation = operation(method, path);
            if (operation.endsWith(".upsert") && requestBody != null && requestBody.path("inputs").size() > 1) {
                operation += " batch";
            }
            exchange.put("operation", operation);
            exchange.put("method", method);
            exchange.put("path", request.getUrl());
            exchange.set("requestBody", requestBody);
            exchange.put("responseStatus", response == null ? 0 : response.getStatus());
            exchange.set("responseBody", response == null ? null : body(response.getBodyAsString()));
            exchanges.add(exchange);
        }
        return exchanges;
    }

    static String operation(String method, String path) {
        String call = method + " " + path;
        return OPERATIONS.entrySet().stream().filter(e -> e.getKey().matcher(call).matches()).map(Map.Entry::getValue)
                .findFirst().orElse("unrecognised");
    }

    /** Writes the exchanges to {@code target/conformance/<name>} and runs the checker on them. */
    public static Result check(String name, List<? extends JsonNode> exchanges) {
        try {
            Files.createDirectories(OUTPUT_DIR);
            Path file = OUTPUT_DIR.resolve(name);
            JSON.writeValue(file.toFile(), exchanges);
            return check(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code node conformance/hubspot/check.mjs FILE}, installing the pinned client first if it is missing. */
    public static Result check(Path file) {
        installClient();
        return run(List.of("node", CHECKER_DIR.resolve("check.mjs").toString(), file.toAbsolutePath().toString()), 60);
    }

    /** {@code npm ci} unless node_modules already holds the client version package.json pins. */
    static synchronized void installClient() {
        try {
            String pinned = JSON.readTree(CHECKER_DIR.resolve("package.json").toFile()).path("dependencies").path("@hubspot/api-client").asText();
            Path installed = CHECKER_DIR.resolve("node_modules/@hubspot/api-client/package.json");
            if (Files.exists(installed) && pinned.equals(JSON.readTree(installed.toFile()).path("version").asText())) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result npm = run(List.of("npm", "ci", "--prefix", CHECKER_DIR.toString(), "--no-audit", "--no-fund"), 300);
        if (npm.exitCode() != 0) {
            throw new IllegalStateException("npm ci in conformance/hubspot failed (" + npm.exitCode() + "):\n" + npm.output());
        }
    }

    private static Result run(List<String> command, int timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    output.append("(output unreadable: ").append(e).append(')');
                }
            });
            reader.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                reader.join(5000);
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + output);
            }
            reader.join();
            return new Result(process.exitValue(), output.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + " (Node.js and npm are needed for the HubSpot "
                    + "conformance check): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode body(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text); // the checker reports a body that is not JSON
        }
    }
}
