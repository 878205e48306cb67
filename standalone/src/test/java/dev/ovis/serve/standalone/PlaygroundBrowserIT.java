package dev.ovis.serve.standalone;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.openai.client.OpenAIClient;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground in a real browser: {@code tools/playground-test} (Debian's Chromium driven by
 * the pinned {@code playwright-core}) types the key, chats with an image and checks the streamed
 * answer with its TTFT and tokens/s, asks about a generated video and checks the key frames shown,
 * runs OCR and checks the boxes drawn, and follows an async OCR job to its end. Screenshots of each step are kept in {@code target/playground-screenshots}.
 * Needs {@code chromium} and {@code npm} ({@code tools/setup-machine.sh} installs them).
 */
@ExtendWith(RunningSuite.class)
class PlaygroundBrowserIT {

    private static final Path TOOL = Path.of("..", "tools", "playground-test").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void chatWithAnImageOcrWithBoxesAndAnAsyncJobInChromium(StandaloneRun run) throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (tools/setup-machine.sh installs it)").isExecutable();
        OpenAIClient sdk = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
        try {
            ChatEndToEndIT.awaitModel(sdk);
        } finally {
            sdk.close();
        }
        if (!Files.isDirectory(TOOL.resolve("node_modules").resolve("playwright-core"))) {
            exec(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), Map.of(), 180);
        }
        Path work = Path.of("target", "playground-test").toAbsolutePath();
        Path shots = Path.of("target", "playground-screenshots").toAbsolutePath();
        Files.createDirectories(work);
        // only this run's screenshots: a failure.png left by an earlier run would mislead
        if (Files.isDirectory(shots)) {
            try (var old = Files.list(shots)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Path ocrImage = work.resolve("ocr.png");
        ImageIO.write(textImage("OVIS 2026"), "png", ocrImage.toFile());
        ChatApi.Reference reference = ChatApi.Reference.named("one_image");
        Path chatImage = ChatApi.FIXTURE.resolve("reference").resolve(reference.images().getFirst());
        Path video = work.resolve("pattern.mp4");
        // with the FFmpeg build the video service bundles (as ChatEndToEndIT does)
        exec(List.of(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class), "-nostdin", "-hide_banner", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=3", "-pix_fmt", "yuv420p",
                video.toString()), Map.of(), 60);

        String output = exec(List.of("node", "playground.test.mjs"), Map.of(
                "OVIS_BASE_URL", run.gatewayUrl(),
                "OVIS_API_KEY", run.apiKey(),
                "OVIS_CHAT_IMAGE", chatImage.toString(),
                "OVIS_OCR_IMAGE", ocrImage.toString(),
                "OVIS_VIDEO", video.toString(),
                "OVIS_SCREENSHOTS", shots.toString(),
                "CHROMIUM", CHROMIUM.toString()), 240);
        assertThat(output).contains("[playground-test] passed");
        assertThat(shots.resolve("1-chat-image.png")).isNotEmptyFile();
        assertThat(shots.resolve("2-video-keyframes.png")).isNotEmptyFile();
        assertThat(shots.resolve("3-ocr-boxes.png")).isNotEmptyFile();
        assertThat(shots.resolve("4-async-job.png")).isNotEmptyFile();
    }

    private static BufferedImage textImage(String text) {
        BufferedImage image = new BufferedImage(420, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 48));
        g.drawString(text, 20, 68);
        g.dispose();
        return image;
    }

    /** Runs {@code command} in the tool's folder; its output, or a failure carrying it. */
    private static String exec(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("playground-test", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(TOOL.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            boolean ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            String output = Files.readString(log);
            assertThat(ended).as("%s did not end within %d s:%n%s", command, timeoutSeconds, output).isTrue();
            assertThat(process.exitValue()).as("%s failed:%n%s", command, output).isZero();
            return output;
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
