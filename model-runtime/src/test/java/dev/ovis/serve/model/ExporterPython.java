package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs the Python exporter (tools/exporter) with Debian's python3 for the integration tests. Tests
 * that need it call {@link #assumeAvailable()} first: they are skipped, saying why, only where the
 * Debian packages that tools/setup-machine.sh installs are missing.
 */
final class ExporterPython {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path EXPORTER = Path.of("..", "tools", "exporter").toAbsolutePath().normalize();

    private ExporterPython() {
    }

    static void assumeAvailable() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "skipped: /usr/bin/python3 is missing (run tools/setup-machine.sh)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, onnx, numpy, PIL")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0,
                "skipped: Debian packages python3-torch python3-onnx python3-numpy python3-pil are missing"
                        + " (run tools/setup-machine.sh): " + out.strip());
    }

    /** Runs {@code script} (a file of tools/exporter) with {@code args}; fails with the output's tail unless it exits 0. */
    static String script(Path log, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), EXPORTER.resolve(script).toString()));
        command.addAll(List.of(args));
        return run(log, command);
    }

    static String run(Path log, List<String> command) throws IOException, InterruptedException {
        return run(log, command, Map.of());
    }

    /** As {@link #run(Path, List)}, with {@code environment} added to this process's. */
    static String run(Path log, List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process p = builder.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(done && p.exitValue() == 0).as("%s failed:%n%s", command, tail(output)).isTrue();
        return output;
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
