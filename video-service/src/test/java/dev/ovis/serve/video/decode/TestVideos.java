package dev.ovis.serve.video.decode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Makes short test videos with the bundled ffmpeg (lavfi sources) in a temporary directory. */
public final class TestVideos {

    private static FfmpegPrograms programs;

    private final Path directory;

    public TestVideos(Path directory) {
        this.directory = directory;
    }

    public static synchronized FfmpegPrograms programs() {
        if (programs == null) {
            programs = FfmpegPrograms.bundled();
        }
        return programs;
    }

    /** A moving test pattern. */
    public byte[] testPattern(String name, int width, int height, double seconds, int fps, String... codec)
            throws IOException, InterruptedException {
        return make(name, List.of("-f", "lavfi", "-i",
                "testsrc=size=" + width + "x" + height + ":rate=" + fps + ":duration=" + seconds), codec);
    }

    /** Scene cuts: one solid colour per shot, each {@code secondsPerShot} long. */
    public byte[] scenes(String name, double secondsPerShot, List<String> colours, String... codec)
            throws IOException, InterruptedException {
        List<String> input = new ArrayList<>();
        StringBuilder graph = new StringBuilder();
        for (int i = 0; i < colours.size(); i++) {
            input.addAll(List.of("-f", "lavfi", "-i",
                    "color=c=" + colours.get(i) + ":size=64x48:rate=10:duration=" + secondsPerShot));
            graph.append('[').append(i).append(":v]");
        }
        graph.append("concat=n=").append(colours.size()).append(":v=1:a=0[v]");
        input.addAll(List.of("-filter_complex", graph.toString(), "-map", "[v]"));
        return make(name, input, codec);
    }

    /** A stream copy of {@code source} (made before by this instance) with display-rotation metadata. */
    public byte[] rotated(String name, String source, int degrees) throws IOException, InterruptedException {
        return make(name, List.of("-display_rotation", Integer.toString(degrees), "-i",
                directory.resolve(source).toString()), "-c", "copy");
    }

    /** Audio only (a sine tone). */
    public byte[] audioOnly(String name) throws IOException, InterruptedException {
        return make(name, List.of("-f", "lavfi", "-i", "sine=frequency=440:duration=1"), "-c:a", "flac");
    }

    byte[] make(String name, List<String> input, String... codec) throws IOException, InterruptedException {
        Path out = directory.resolve(name);
        List<String> command = new ArrayList<>(List.of(programs().ffmpeg().toString(), "-nostdin", "-hide_banner",
                "-loglevel", "error", "-y"));
        command.addAll(input);
        command.addAll(List.of(codec));
        command.add(out.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg could not make " + name + ": " + log);
        }
        return Files.readAllBytes(out);
    }
}
