package dev.ovis.serve.video.bench;

import dev.ovis.serve.video.decode.DecodeListener;
import dev.ovis.serve.video.decode.DecodedVideo;
import dev.ovis.serve.video.decode.FfmpegVideoDecoder;
import dev.ovis.serve.video.decode.TestVideos;
import dev.ovis.serve.video.decode.VideoProperties;
import dev.ovis.serve.video.embed.DescriptorFrameEmbedder;
import dev.ovis.serve.video.keyframe.KeyframeSelector;
import dev.ovis.serve.video.keyframe.Mdp3KeyframeSelector;
import dev.ovis.serve.video.keyframe.NaiveMdp3Selector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The video-service benchmark (prints figures; asserts nothing about time). Not part of the normal
 * test run (its name matches neither *Tests nor *IT); run it with
 * {@code ./mvnw -B -q -pl video-service -am test -Dtest=VideoBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Figures also go to {@code video-service/target/video-benchmark.txt}.
 */
class VideoBenchmark {

    private static final int DIM = 1152; // SigLIP so400m embedding size

    @TempDir
    Path temp;

    private final List<String> lines = new ArrayList<>();

    @Test
    void run() throws Exception {
        decode();
        selection();
        Files.write(Path.of("target/video-benchmark.txt"), lines);
    }

    private void decode() throws IOException, InterruptedException, dev.ovis.serve.video.decode.VideoException {
        long made = System.nanoTime();
        byte[] clip = new TestVideos(temp).testPattern("bench-720p.mp4", 1280, 720, 60, 30, "-c:v", "libopenh264");
        print("clip: 60 s 1280x720 30 fps H.264 (openh264), %d KiB, made in %.1f s", clip.length / 1024,
                (System.nanoTime() - made) / 1e9);
        VideoProperties properties = VideoProperties.defaults().withSampling(2.0, 256, 448);
        try (FfmpegVideoDecoder decoder = new FfmpegVideoDecoder(TestVideos.programs(), properties)) {
            decoder.decode(clip, DecodeListener.NONE); // warm-up (page cache, JIT)
            double[] seconds = new double[3];
            DecodedVideo video = null;
            for (int run = 0; run < seconds.length; run++) {
                long start = System.nanoTime();
                video = decoder.decode(clip, DecodeListener.NONE);
                seconds[run] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(seconds);
            double median = seconds[1];
            print("decode (probe + sample at 2 fps, scaled to 448 px): %d frames in %.2f s median of 3 = %.1f frames/s"
                    + " (%.1fx real time)", video.frames().size(), median, video.frames().size() / median, 60 / median);
            double best = Double.MAX_VALUE;
            for (int run = 0; run < 5; run++) {
                long start = System.nanoTime();
                new DescriptorFrameEmbedder().embedFrames(video.frames());
                best = Math.min(best, (System.nanoTime() - start) / 1e6);
            }
            print("descriptor embedding of %d frames (448x252): %.1f ms, best of 5", video.frames().size(), best);
        }
    }

    private void selection() {
        KeyframeSelector fast = new Mdp3KeyframeSelector();
        KeyframeSelector naive = new NaiveMdp3Selector();
        double[][] warmFrames = shots(512, new Random(1));
        for (int warm = 0; warm < 20; warm++) {
            fast.select(warmFrames, warmFrames[0], 32, -1);
        }
        print("MDP3 on one thread, d=%d, one segment; fast: min / median of 9 runs, naive: 1 run", DIM);
        print("| candidates | selected | incremental Cholesky, min / median (ms) | naive log-det (ms) | speed-up (median) | same picks |");
        print("|---|---|---|---|---|---|");
        for (int n : new int[] {128, 256, 512}) {
            double[][] frames = shots(n, new Random(n));
            double[] query = shots(1, new Random(-n))[0];
            for (int k : new int[] {8, 16, 32}) {
                for (int warm = 0; warm < 3; warm++) {
                    fast.select(frames, query, k, -1);
                }
                double[] times = new double[9];
                int[] picks = null;
                for (int run = 0; run < times.length; run++) {
                    long start = System.nanoTime();
                    picks = fast.select(frames, query, k, -1);
                    times[run] = (System.nanoTime() - start) / 1e6;
                }
                Arrays.sort(times);
                long start = System.nanoTime();
                int[] reference = naive.select(frames, query, k, -1);
                double naiveMs = (System.nanoTime() - start) / 1e6;
                print("| %d | %d | %.1f / %.1f | %.0f | %.0fx | %s |", n, k, times[0], times[4], naiveMs, naiveMs / times[4],
                        Arrays.equals(picks, reference) ? "yes" : "NO");
            }
        }
    }

    /** Unit vectors drifting within shots of 8–40 frames, like the conformance data. */
    private static double[][] shots(int n, Random random) {
        double[][] out = new double[n][];
        double[] centre = unit(random);
        int left = 0;
        for (int i = 0; i < n; i++) {
            if (left-- <= 0) {
                centre = unit(random);
                left = 8 + random.nextInt(32);
            }
            double[] v = centre.clone();
            for (int d = 0; d < DIM; d++) {
                v[d] += 0.02 * random.nextGaussian();
            }
            centre = v;
            out[i] = normalise(v.clone());
        }
        return out;
    }

    private static double[] unit(Random random) {
        double[] v = new double[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = random.nextGaussian();
        }
        return normalise(v);
    }

    private static double[] normalise(double[] v) {
        double norm = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
        for (int d = 0; d < v.length; d++) {
            v[d] /= norm;
        }
        return v;
    }

    private void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        lines.add(line);
        System.out.println(line);
    }
}
