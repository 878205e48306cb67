package dev.ovis.serve.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny shell process that stops the PostgreSQL server of a data directory (and deletes the
 * directory, when it is a temporary one) if this JVM dies without stopping it — killed by a
 * test runner's timeout, by SIGKILL, by a crash. The postmaster is a separate process and would
 * otherwise run on, holding a port and memory. Started before the server, so no window is left
 * open; destroyed after a normal stop. It runs in a session of its own ({@code setsid}), so a
 * signal to the run's whole process group (a supervisor's SIGTERM, {@code kill -KILL -- -PGID})
 * reaches the JVM but not the watchdog, which then does its job.
 */
final class PostgresWatchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresWatchdog.class);

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;

    private PostgresWatchdog(Process process) {
        this.process = process;
    }

    /**
     * @param dataDir          the cluster's data directory ({@code postmaster.pid} names the server)
     * @param deleteAfterwards a directory to delete once the server is gone, or null
     * @return null where no POSIX shell exists (the server then only stops with a clean JVM exit)
     */
    static PostgresWatchdog watch(Path dataDir, Path deleteAfterwards) {
        String script = """
                jvm=$1; pidfile=$2/postmaster.pid; trash=$3
                while kill -0 "$jvm" 2>/dev/null; do sleep 1; done
                if [ -f "$pidfile" ]; then
                  pg=$(head -n 1 "$pidfile")
                  kill -INT "$pg" 2>/dev/null
                  while kill -0 "$pg" 2>/dev/null; do sleep 0.2; done
                fi
                [ -n "$trash" ] && rm -rf "$trash"
                """;
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(List.of("/bin/sh", "-c", script, "ovis-pg-watchdog",
                String.valueOf(ProcessHandle.current().pid()), dataDir.toAbsolutePath().toString(),
                deleteAfterwards == null ? "" : deleteAfterwards.toAbsolutePath().toString()));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new PostgresWatchdog(process);
        } catch (IOException e) {
            log.warn("no watchdog for PostgreSQL ({}): a killed JVM would leave the server running", e.toString());
            return null;
        }
    }

    /** After the server was stopped normally: the watchdog has nothing left to do. */
    @Override
    public void close() {
        process.destroyForcibly(); // SIGTERM would wait for its `sleep 1`
    }
}
