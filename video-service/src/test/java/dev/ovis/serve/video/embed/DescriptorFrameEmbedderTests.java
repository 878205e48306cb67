package dev.ovis.serve.video.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.video.decode.RgbFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescriptorFrameEmbedderTests {

    private final DescriptorFrameEmbedder embedder = new DescriptorFrameEmbedder();

    @Test
    void similarFramesAreCloseAndDifferentShotsFar() {
        List<RgbFrame> frames = List.of(solid(200, 20, 20, 0), solid(205, 20, 20, 3), stripes(), solid(20, 20, 200, 0));

        double[][] vectors = embedder.embedFrames(frames);

        assertThat(java.util.Arrays.stream(vectors).mapToDouble(DescriptorFrameEmbedderTests::norm))
                .allSatisfy(n -> assertThat(n).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(distance(vectors[0], vectors[1])).isLessThan(0.3);
        assertThat(distance(vectors[0], vectors[2])).isGreaterThan(1.0);
        assertThat(distance(vectors[0], vectors[3])).isGreaterThan(1.0);
    }

    @Test
    void knowsNothingAboutTextAndThereforeGivesConstantRelevance() {
        assertThat(embedder.embedQuery("a red car")).isNull();
        assertThat(embedder.name()).isEqualTo("descriptor");
    }

    @Test
    void identicalFramesGiveIdenticalVectors() {
        double[][] vectors = embedder.embedFrames(List.of(solid(1, 2, 3, 0), solid(1, 2, 3, 0)));

        assertThat(vectors[0]).containsExactly(vectors[1]);
    }

    private static RgbFrame solid(int r, int g, int b, int noise) {
        byte[] rgb = new byte[48 * 32 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            int n = noise == 0 ? 0 : (i * 7919 % (2 * noise + 1)) - noise;
            rgb[i] = (byte) Math.clamp(r + n, 0, 255);
            rgb[i + 1] = (byte) g;
            rgb[i + 2] = (byte) b;
        }
        return new RgbFrame(0, 48, 32, rgb);
    }

    private static RgbFrame stripes() {
        byte[] rgb = new byte[48 * 32 * 3];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 48; x++) {
                int v = (x / 4) % 2 == 0 ? 250 : 10;
                int i = (y * 48 + x) * 3;
                rgb[i] = (byte) v;
                rgb[i + 1] = (byte) v;
                rgb[i + 2] = (byte) v;
            }
        }
        return new RgbFrame(0, 48, 32, rgb);
    }

    private static double norm(double[] v) {
        return Math.sqrt(java.util.Arrays.stream(v).map(x -> x * x).sum());
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
