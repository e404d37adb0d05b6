package io.sluice.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/** A command-line tool the deployment tests need (kubectl, promtool): missing, the test fails saying what to install. */
record Tool(String command, String debianPackage) {

    static final Tool KUBECTL = new Tool("kubectl", "kubernetes-client");
    static final Tool PROMTOOL = new Tool("promtool", "prometheus");

    /** What the command answered; how it exited. */
    record Result(int exitCode, String output) {
    }

    Result run(Path workingDirectory, String... arguments) {
        if (!installed()) {
            fail(command + " is not installed: install it with `apt-get install -y " + debianPackage
                    + "` (.ci/run does) to run the deployment tests");
        }
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(List.of(arguments));
        try {
            Path output = Files.createTempFile(command, ".out");
            try {
                Process process = new ProcessBuilder(line).directory(workingDirectory.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(String.join(" ", line) + " did not finish in 120 s");
                }
                return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs it and fails the test, with its output, unless it exits 0. */
    String succeed(Path workingDirectory, String... arguments) {
        Result result = run(workingDirectory, arguments);
        if (result.exitCode() != 0) {
            fail(command + " " + String.join(" ", arguments) + " exited " + result.exitCode() + ":\n" + result.output());
        }
        return result.output();
    }

    private boolean installed() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
