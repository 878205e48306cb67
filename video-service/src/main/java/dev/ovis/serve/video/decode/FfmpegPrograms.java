package dev.ovis.serve.video.decode;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The programs bundled in the FFmpeg jar (extracted on first use). */
    public static FfmpegPrograms bundled() {
        String ffmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        String ffprobe = Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
        return new FfmpegPrograms(Path.of(ffmpeg), Path.of(ffprobe));
    }
}
