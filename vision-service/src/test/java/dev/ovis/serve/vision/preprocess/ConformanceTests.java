package dev.ovis.serve.vision.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds decoding + preprocessing to the golden data the Ovis2 reference code produced
 * ({@code src/test/resources/conformance/README.md}): grids, placeholders, positions and crop counts
 * identical; PNG samples within one 8-bit step and channel means within 1e-3; JPEG mean sample
 * difference under half a step. Counts the crops that are bit-exact (sha256 of the float32 bytes).
 */
class ConformanceTests {

    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger CROPS = new AtomicInteger();
    private static final AtomicInteger EXACT = new AtomicInteger();

    private final ImageDecoder decoder = new ImageDecoder(ImageProperties.defaults());
    private final ImagePreprocessor preprocessor = new ImagePreprocessor();

    static Stream<String> images() {
        return Stream.of("a4scan.jpg", "alpha.png", "banner.png", "cmyk.jpg", "fullhd.jpg", "grey.png", "hd720.png",
                "odd.png", "palette.png", "photo.jpg", "photo12mp.jpg", "pixel.png", "portrait.jpg", "sliver.png",
                "small224.png", "square448.png", "tall.png", "vga.png");
    }

    @ParameterizedTest
    @MethodSource("images")
    void matchesTheReference(String name) throws Exception {
        // given
        JsonNode golden = JSON.readTree(resource("conformance/golden/" + name + ".json"));
        RgbImage image = decoder.decode(resource("conformance/images/" + name));
        assertThat(image.width()).isEqualTo(golden.get("width").asInt());
        assertThat(image.height()).isEqualTo(golden.get("height").asInt());
        boolean jpeg = name.endsWith(".jpg");
        double diffSum = 0;
        double diffMax = 0;
        int diffCount = 0;
        int exact = 0;
        int crops = 0;
        for (JsonNode c : golden.get("cases")) {
            // when
            PreprocessedImage pre = preprocessor.preprocess(image, c.get("max_partition").asInt());
            // then
            ImageLayout layout = pre.layout();
            assertThat(List.of(layout.rows(), layout.cols())).as("grid").isEqualTo(ints(c.get("grid")));
            assertThat(layout.placeholders()).as("placeholders").isEqualTo(ints(c.get("placeholders")));
            assertThat(layout.positions()).as("llm_positions").isEqualTo(c.get("llm_positions").asInt());
            assertThat(pre.crops()).as("crops").isEqualTo(c.get("crops").size());
            for (int i = 0; i < pre.crops(); i++) {
                JsonNode crop = c.get("crops").get(i);
                int base = i * PreprocessedImage.CROP_FLOATS;
                crops++;
                if (sha256(pre.pixelValues(), base).equals(crop.get("sha256_f32").asString())) {
                    exact++;
                }
                for (JsonNode s : crop.get("samples")) {
                    int y = s.get(0).asInt();
                    int x = s.get(1).asInt();
                    for (int ch = 0; ch < 3; ch++) {
                        float actual = pre.pixelValues()[base + ch * 448 * 448 + y * 448 + x];
                        double steps = Math.abs(actual - s.get(2 + ch).asDouble()) * 255 * STD[ch];
                        diffSum += steps;
                        diffMax = Math.max(diffMax, steps);
                        diffCount++;
                        if (!jpeg) {
                            assertThat(steps).as("%s P=%d crop %d sample (%d,%d,%d) in 8-bit steps", name,
                                    c.get("max_partition").asInt(), i, y, x, ch).isLessThanOrEqualTo(1.0001);
                        }
                    }
                }
                if (!jpeg) {
                    double[] mean = channelMeans(pre.pixelValues(), base);
                    for (int ch = 0; ch < 3; ch++) {
                        assertThat(mean[ch]).as("channel %d mean", ch)
                                .isCloseTo(crop.get("channel_mean").get(ch).asDouble(), org.assertj.core.data.Offset.offset(1e-3));
                    }
                }
            }
        }
        System.out.printf("conformance %-14s crops %3d, bit-exact %3d, sample diff mean %.4f max %.2f steps%n",
                name, crops, exact, diffSum / diffCount, diffMax);
        CROPS.addAndGet(crops);
        EXACT.addAndGet(exact);
        if (jpeg) {
            assertThat(diffSum / diffCount).as("mean sample difference in 8-bit steps").isLessThan(0.5);
        }
    }

    @AfterAll
    static void summary() {
        System.out.printf("conformance: %d of %d crops bit-exact (sha256_f32)%n", EXACT.get(), CROPS.get());
    }

    private static double[] channelMeans(float[] px, int base) {
        double[] mean = new double[3];
        int plane = 448 * 448;
        for (int ch = 0; ch < 3; ch++) {
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += px[base + ch * plane + i];
            }
            mean[ch] = sum / plane;
        }
        return mean;
    }

    static String sha256(float[] px, int base) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(PreprocessedImage.CROP_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(px, base, PreprocessedImage.CROP_FLOATS);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
    }

    private static List<Integer> ints(JsonNode array) {
        return array.valueStream().map(JsonNode::asInt).toList();
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = ConformanceTests.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing test resource " + path);
            }
            return in.readAllBytes();
        }
    }
}
