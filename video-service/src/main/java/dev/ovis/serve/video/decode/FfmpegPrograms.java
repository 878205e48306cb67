package dev.ovis.serve.video.decode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * Where the {@code ffmpeg} and {@code ffprobe} programs are. Both ship inside the
 * {@code org.bytedeco:ffmpeg} platform jar together with their shared libraries; JavaCPP extracts
 * them into its cache ({@code ~/.javacpp/cache}) and returns the executable's path. The service
 * runs them as child processes, so a hostile file can crash only the child.
 *
 * @param ffmpeg  the decoder
 * @param ffprobe the prober
 */
public record FfmpegPrograms(Path ffmpeg, Path ffprobe) {

    public FfmpegPrograms {
        for (Path program : new Path[] {ffmpeg, ffprobe}) {
            if (!Files.isExecutable(program)) {
                throw new IllegalStateException("not an executable: " + program);
            }
        }
    }

    /**
     * The programs bundled in the FFmpeg jar (extracted on first use), checked by running both
     * with {@code -version}: a missing system library fails here, at start-up, not as a bogus
     * "corrupt media" verdict on the first video.
     */
    public static FfmpegPrograms bundled() {
        String ffmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        String ffprobe = Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
        FfmpegPrograms programs = new FfmpegPrograms(Path.of(ffmpeg), Path.of(ffprobe));
        programs.check(programs.ffmpeg());
        programs.check(programs.ffprobe());
        return programs;
    }

    private void check(Path program) {
        try (ChildProcess child = ChildProcess.start(List.of(program.toString(), "-hide_banner", "-version"),
                Instant.now().plusSeconds(30))) {
            child.stdout().readAllBytes();
            int status = child.waitFor();
            if (status != 0) {
                throw new IllegalStateException(program.getFileName() + " (bundled FFmpeg) does not run: "
                        + child.errorText() + " — on Debian/Ubuntu install libpulse0");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the bundled " + program, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + program, e);
        }
    }
}
