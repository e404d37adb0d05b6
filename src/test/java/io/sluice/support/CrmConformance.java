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
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Captures what a WireMock CRM received and answered, and checks it with {@code conformance/<crm>/check.mjs} against
 * the CRM's published client (HubSpot's and Zoho's Node.js SDKs, installed with {@code npm ci} when missing).
 */
public final class CrmConformance {

    public static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    public static final Path OUTPUT_DIR = PROJECT.resolve("target/conformance");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CrmConformance() {
    }

    /** The checker's exit code and everything it printed. */
    public record Result(int exitCode, String output) {
    }

    /** Names a call as Sluice does (the operation of its ApiRequest) from its method, path and JSON body (or null). */
    public interface Namer {
        String name(String method, String path, JsonNode body);
    }

    /**
     * Every request the server received, oldest first, with the answer it gave: {operation, method, path,
     * requestBody, responseStatus, responseBody}.
     */
    public static List<ObjectNode> exchanges(WireMockServer server, Namer namer) {
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
            exchange.put("operation", namer.name(method, path, requestBody));
            exchange.put("method", method);
            exchange.put("path", request.getUrl());
            exchange.set("requestBody", requestBody);
            exchange.put("responseStatus", response == null ? 0 : response.getStatus());
            exchange.set("responseBody", response == null ? null : body(response.getBodyAsString()));
            exchanges.add(exchange);
        }
        return exchanges;
    }

    /** The name of the first pattern "METHOD path" matches, or "unrecognised". */
    public static String name(Map<Pattern, String> names, String method, String path) {
        String call = method + " " + path;
        return names.entrySet().stream().filter(e -> e.getKey().matcher(call).matches()).map(Map.Entry::getValue)
                .findFirst().orElse("unrecognised");
    }

    /** "operation -> status" of each exchange. */
    public static Set<String> covered(List<? extends JsonNode> exchanges) {
        return exchanges.stream().map(e -> e.path("operation").asText() + " -> " + e.path("responseStatus").asInt())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Writes the exchanges to {@code target/conformance/<name>} and runs {@code conformance/<crm>/check.mjs} on them. */
    public static Result check(String crm, String name, List<? extends JsonNode> exchanges) {
        try {
            Files.createDirectories(OUTPUT_DIR);
            Path file = OUTPUT_DIR.resolve(name);
            JSON.writeValue(file.toFile(), exchanges);
            Path checker = PROJECT.resolve("conformance").resolve(crm);
            install(checker);
            return run(List.of("node", checker.resolve("check.mjs").toString(), file.toString()), 60);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code npm ci} unless node_modules already holds every dependency at the version package.json pins. Test JVMs run
     * side by side: a file lock keeps a second one from deleting node_modules while the first installs or reads it.
     */
    static synchronized void install(Path checker) throws IOException {
        Files.createDirectories(OUTPUT_DIR);
        try (FileChannel lock = FileChannel.open(OUTPUT_DIR.resolve("npm-" + checker.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            installLocked(checker);
        }
    }

    private static void installLocked(Path checker) throws IOException {
        boolean installed = true;
        for (Map.Entry<String, JsonNode> dependency : JSON.readTree(checker.resolve("package.json").toFile()).path("dependencies").properties()) {
            Path manifest = checker.resolve("node_modules").resolve(dependency.getKey()).resolve("package.json");
            installed &= Files.exists(manifest) && dependency.getValue().asText().equals(JSON.readTree(manifest.toFile()).path("version").asText());
        }
        if (installed) {
            return;
        }
        Result npm = run(List.of("npm", "ci", "--prefix", checker.toString(), "--no-audit", "--no-fund"), 300);
        if (npm.exitCode() != 0) {
            throw new IllegalStateException("npm ci in " + PROJECT.relativize(checker) + " failed (" + npm.exitCode() + "):\n" + npm.output());
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
            throw new IllegalStateException("cannot run " + command.get(0) + " (Node.js and npm are needed for the CRM "
                    + "conformance checks): " + e.getMessage(), e);
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
