package io.sluice.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sluice as a separate operating-system process, started from this test run's classpath, so that a test can kill it
 * the hard way ({@code kill -9}: no shutdown hook, no graceful stop) and start it again on the same data.
 */
public final class SluiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final List<String> arguments;
    private final Path log;
    private final int port;
    private Process process;

    /** @param arguments Spring properties, {@code name=value}, passed as {@code --name=value} */
    public SluiceProcess(Path log, List<String> arguments) {
        this.port = freePort();
        this.log = log;
        this.arguments = new ArrayList<>(arguments);
        this.arguments.add("server.port=" + port);
    }

    public int port() {
        return port;
    }

    /** Starts the process and waits until it is ready (readiness probe up), up to 3 minutes (two shared cores). */
    public void start() throws IOException, InterruptedException {
        start(Duration.ofSeconds(180));
    }

    /** Starts the process and waits until it is ready, up to {@code within} (more for a start beside busy replicas). */
    public void start(Duration within) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx384m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.sluice.SluiceApplication");
        arguments.forEach(a -> command.add("--" + a));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Sluice exited with " + process.exitValue() + " while starting; the end of " + log
                        + ":\n" + tail(40));
            }
            if (ready()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Sluice did not become ready within " + within.toSeconds() + " s; the end of " + log + ":\n" + tail(40));
    }

    /** GETs an admin path with the bearer {@code token}, as JSON. */
    public com.fasterxml.jackson.databind.JsonNode getJson(String path, String token) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** POSTs {@code json} to an admin path with the bearer {@code token}; the answer's status and body. */
    public HttpResponse<String> postJson(String path, String token, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code kill -9}: the JVM gets no chance to finish anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private String tail(int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * A port free now, below Linux's ephemeral range (32768 and up): the process is started again on it after a
     * kill, and a port from that range may meanwhile be the local end of some other test JVM's connection.
     */
    private static int freePort() {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate = 20_000 + random.nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(candidate)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }
}
