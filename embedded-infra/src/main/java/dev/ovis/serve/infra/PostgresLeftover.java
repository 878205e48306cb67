package dev.ovis.serve.infra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a PostgreSQL server that an earlier run left on a persistent data directory and stops it,
 * before a new server is started there.
 *
 * <p>A run that dies with its watchdog (SIGKILL to its whole process group, a crash of the
 * machine's session) leaves the postmaster running: it holds the data directory, and a new server
 * there never comes up. zonky's {@code epg-lock} tells the two cases apart: a live run holds that
 * file lock for as long as its JVM lives, so a free lock with a live postmaster means an orphan,
 * which is stopped (fast shutdown, as {@code pg_ctl stop -m fast}); a held lock means another run
 * is using the directory, which is refused with a message saying so.
 */
final class PostgresLeftover {

    private static final Logger log = LoggerFactory.getLogger(PostgresLeftover.class);
    private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);

    private PostgresLeftover() {
    }

    /**
     * @throws IllegalStateException when another live run uses {@code dataDir}, or the leftover
     *                               server cannot be stopped
     */
    static void stopIn(Path dataDir) {
        Optional<ProcessHandle> postmaster = postmaster(dataDir);
        if (postmaster.isEmpty()) {
            return; // none, or a stale pid file: PostgreSQL itself ignores one whose process is gone
        }
        if (lockedByLiveRun(dataDir)) {
            throw new IllegalStateException("another Ovis Serve run uses " + dataDir.getParent()
                    + " (its PostgreSQL is pid " + postmaster.get().pid() + "): stop that run, or give this one"
                    + " another data directory (--data-dir=PATH or --temporary)");
        }
        ProcessHandle server = postmaster.get();
        log.warn("PostgreSQL pid {} was left running on {} by an earlier run that did not stop cleanly;"
                + " stopping it", server.pid(), dataDir);
        signal(server, "-INT"); // fast shutdown: roll back open transactions, write a checkpoint
        if (!exited(server, FAST_SHUTDOWN)) {
            log.warn("PostgreSQL pid {} ignored a fast shutdown for {}; killing it (it recovers from its WAL on start)",
                    server.pid(), FAST_SHUTDOWN);
            server.destroyForcibly();
            if (!exited(server, Duration.ofSeconds(10))) {
                throw new IllegalStateException("cannot stop PostgreSQL pid " + server.pid()
                        + " left running on " + dataDir + "; stop it by hand (kill " + server.pid() + ")");
            }
        }
        log.info("Stopped the leftover PostgreSQL pid {}", server.pid());
    }

    /** The live postmaster named by the directory's pid file, if it is a postgres program. */
    static Optional<ProcessHandle> postmaster(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.getFirst().strip());
            // the pid may have been reused by an unrelated program since the server died
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean lockedByLiveRun(Path dataDir) {
        Path lockFile = dataDir.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very JVM holds it
        } catch (IOException e) {
            return false;
        }
    }

    private static void signal(ProcessHandle process, String signal) {
        try {
            new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy(); // SIGTERM: a smart shutdown, enough once no client is connected
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean exited(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
