package dev.ovis.serve.video.decode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** The system libraries the bundled programs link (readelf -d), by the Debian package that ships each. */
    private static final Map<String, String> DEBIAN_PACKAGES = Map.of(
            "libpulse.so.0", "libpulse0",
            "libva.so.2", "libva2",
            "libva-drm.so.2", "libva-drm2",
            "libasound.so.2", "libasound2",
            "libxcb.so.1", "libxcb1",
            "libxcb-shm.so.0", "libxcb-shm0",
            "libudev.so.1", "libudev1");
    private static final Pattern MISSING_LIBRARY = Pattern.compile("(lib[\\w.+-]+\\.so(?:\\.\\d+)*)");
    private static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

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
        // JavaCPP caps the whole process's resident memory at 4 x -Xmx by default and throws when a
        // Pointer is created above it. This service only extracts programs it runs as children, while
        // ONNX Runtime sessions in the same process (a 1B model: ~5 GB) are legitimately resident.
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
        String ffmpeg;
        String ffprobe;
        try {
            ffmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
            ffprobe = Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot load the bundled FFmpeg: " + fix(String.valueOf(e.getMessage())), e);
        }
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
                        + fix(child.errorText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the bundled " + program, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + program, e);
        }
    }

    /**
     * The error text with what fixes it: the Debian package of each missing library the text
     * names, and the script that installs everything the local run needs.
     */
    static String fix(String error) {
        StringBuilder packages = new StringBuilder();
        Matcher m = MISSING_LIBRARY.matcher(error);
        while (m.find()) {
            String pkg = DEBIAN_PACKAGES.get(m.group(1));
            if (pkg != null && packages.indexOf(pkg + " ") < 0) {
                packages.append(pkg).append(' ');
            }
        }
        String install = packages.isEmpty() ? "libpulse0 libva2 libva-drm2 libasound2" : packages.toString().strip();
        return error.strip() + " — on Debian/Ubuntu install the missing system libraries with `sudo apt-get install "
                + install + "` (or run tools/setup-machine.sh --local-run, which installs all the local run needs)";
    }
}
