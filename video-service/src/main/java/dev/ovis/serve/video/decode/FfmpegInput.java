package dev.ovis.serve.video.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    private final Path file;

    private FfmpegInput(Path file) {
        this.file = file;
    }

    /** Writes {@code media} to a fresh owner-only temporary file. */
    static FfmpegInput of(byte[] media) throws IOException {
        Path file = Files.createTempFile("ovis-video-", ".input");
        try {
            Files.write(file, media);
            return new FfmpegInput(file);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
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
