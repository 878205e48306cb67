package dev.ovis.serve.video.decode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An FFmpeg child process with a deadline: a watchdog kills it (forcibly) once the deadline
 * passes, stderr is drained in the background (so the child never blocks on a full pipe) and its
 * last few kilobytes are kept for error messages. Closing kills the child if it still runs.
 */
final class ChildProcess implements AutoCloseable {

    private static final int STDERR_KEPT = 4096;

    private final Process process;
    private final Thread stderrDrain;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private volatile boolean killedAtDeadline;

    private ChildProcess(Process process, Instant deadline) {
        this.process = process;
        this.stderrDrain = Thread.ofVirtual().name("ffmpeg-stderr").start(this::drainStderr);
        Thread.ofVirtual().name("ffmpeg-watchdog").start(() -> watch(deadline));
    }

    static ChildProcess start(List<String> command, Instant deadline) throws IOException {
        return start(command, deadline, Path.of("/dev/null"));
    }

    /** A child whose standard input is {@code stdin}, opened for reading (seekable when it is a regular file). */
    static ChildProcess start(List<String> command, Instant deadline, Path stdin) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()));
        return new ChildProcess(builder.start(), deadline);
    }

    InputStream stdout() {
        return process.getInputStream();
    }

    /** Waits for the exit (bounded by the deadline's kill) and returns the exit status. */
    int waitFor() throws InterruptedException {
        int status = process.waitFor();
        stderrDrain.join(Duration.ofSeconds(5));
        return status;
    }

    /** Whether the watchdog killed the child. */
    boolean killedAtDeadline() {
        return killedAtDeadline;
    }

    /** The last error lines the child wrote, trimmed to one line per message. */
    String errorText() {
        String text;
        synchronized (stderr) {
            text = stderr.toString(StandardCharsets.UTF_8);
        }
        String[] lines = text.strip().split("\\R");
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(0, lines.length - 3); i < lines.length; i++) {
            // "fd:: Invalid data …": the input's name says nothing to the client
            String line = lines[i].replaceAll("^\\[[^\\]]*\\]\\s*", "").replace(FfmpegInput.URL + ": ", "").strip();
            if (!line.isEmpty() && out.indexOf(line) < 0) {
                out.append(out.isEmpty() ? "" : "; ").append(line);
            }
        }
        return out.toString();
    }

    private void drainStderr() {
        byte[] buffer = new byte[1024];
        try (InputStream in = process.getErrorStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (stderr) {
                    stderr.write(buffer, 0, n);
                    if (stderr.size() > 4 * STDERR_KEPT) {
                        byte[] all = stderr.toByteArray();
                        stderr.reset();
                        stderr.write(all, all.length - STDERR_KEPT, STDERR_KEPT);
                    }
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    private void watch(Instant deadline) {
        try {
            long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                killedAtDeadline = true;
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
