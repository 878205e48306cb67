package dev.ovis.serve.topology;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process of the topology (an infrastructure server or a service replica): started from a
 * fixed command and environment, so it can be killed and started again as the same member.
 * Output goes to its own log file (appended across restarts). Standard input is a pipe held by
 * this JVM: {@link dev.ovis.serve.infra.InfraServer} ends when it closes.
 */
final class ManagedProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;
    private OutputStream stdin;
    private long logOffset;

    ManagedProcess(String name, List<String> command, Map<String, String> environment, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        try {
            Files.createDirectories(log.getParent());
            logOffset = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            stdin = process.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** What this start of the process has written so far. */
    String output() {
        try {
            byte[] all = Files.readAllBytes(log);
            long from = Math.min(logOffset, all.length);
            return new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of this start's output, for a failure message. */
    String outputTail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** SIGKILL: the process gets no chance to clean up (a crash, an OOM kill). */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(process, Duration.ofSeconds(30));
        closeStdin();
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    synchronized void stop(Duration grace) {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!awaitExit(process, grace)) {
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(30));
        }
        closeStdin();
    }

    /** Sends SIGTERM without waiting: {@link #stop} of many processes in parallel. */
    synchronized void signalStop() {
        if (process != null) {
            process.destroy();
        }
    }

    private void closeStdin() {
        try {
            if (stdin != null) {
                stdin.close();
            }
        } catch (IOException e) {
            // the process is gone; its pipe with it
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
