package dev.ovis.serve.video.decode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What FFmpeg may open: exactly one input, its standard input, and nothing else. The video is
 * written to a temporary file (owner-only, {@code java.io.tmpdir}) that becomes the child's stdin,
 * and FFmpeg reads it through the {@code fd:} protocol, which seeks on a regular file (MP4/MOV
 * without "fast start" keep their index at the end; a pipe cannot seek). The protocol whitelist is
 * {@code fd} alone: no {@code file:}, {@code http:}, {@code tcp:} or any other protocol can be
 * opened from inside a file, whatever a demuxer's references (MOV data references, playlists) ask
 * for and on whatever host; no HTTP client runs, so no {@code http_proxy} in the environment can
 * route the video elsewhere either. The format whitelist still keeps playlist and script demuxers
 * (HLS, concat, image sequences) out altogether. Closing deletes the file.
 */
final class FfmpegInput implements AutoCloseable {

    static final String PROTOCOLS = "fd";
    static final String FORMATS = "mov,matroska,webm,avi,gif,flv,mpegts,mpeg,asf,ogg,ivf,nut,apng";
    /** The URL of the child's standard input for the {@code fd} protocol. */
    static final String URL = "fd:";
    private static final String PREFIX = "ovis-video-";
    private static final String SUFFIX = ".input";
    private static final Logger log = LoggerFactory.getLogger(FfmpegInput.class);

    private final Path file;

    private FfmpegInput(Path file) {
        this.file = file;
    }

    /** Writes {@code media} to a fresh owner-only temporary file. */
    static FfmpegInput of(byte[] media) throws IOException {
        Path file = Files.createTempFile(PREFIX, SUFFIX);
        try {
            Files.write(file, media);
            return new FfmpegInput(file);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Deletes input files in {@code directory} last modified more than {@code olderThan} ago: left by a
     * process that was killed mid-video (a Kubernetes emptyDir outlives container restarts, so a crash
     * loop would fill it). Younger files may belong to another process's video in flight.
     */
    static int deleteStale(Path directory, Duration olderThan) {
        Instant before = Instant.now().minus(olderThan);
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(before) && Files.deleteIfExists(file)) {
                        deleted++;
                    }
                } catch (IOException e) {
                    // another process's, or gone meanwhile: not ours to insist on
                }
            }
        } catch (IOException e) {
            log.warn("cannot look for stale video inputs in {}: {}", directory, e.toString());
        }
        if (deleted > 0) {
            log.info("deleted {} video input files left by an earlier process in {}", deleted, directory);
        }
        return deleted;
    }

    /** The file to give the child as its standard input. */
    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
