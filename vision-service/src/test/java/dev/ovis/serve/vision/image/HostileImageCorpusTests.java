package dev.ovis.serve.vision.image;

import dev.ovis.serve.support.image.InvalidImageException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The hostile-image part of the corpus (docs/reliability.md): for every supported format, truncated
 * files, files with random bytes flipped, header-declared dimension bombs and bit-depth bombs,
 * empty and garbage files. Each must decode or be refused with a 4xx {@link InvalidImageException}
 * (which the vision stage turns into a failed job with that reason) — never another exception,
 * never more than a few seconds. Generated deterministically (fixed seeds).
 */
class HostileImageCorpusTests {

    /**
     * Production's limits scaled down (4 MP, 32 MiB decoded instead of 100 MP, 768 MiB), so the images
     * just within them — which the decoder does allocate — stay small enough for CI.
     */
    private static final ImageDecoder DECODER = new ImageDecoder(new ImageProperties(4_000_000L, 50L << 20, true, true, 32L << 20));
    private static final Duration PER_CASE = Duration.ofSeconds(10);
    private static final Map<String, Integer> OUTCOMES = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> everyHostileImageIsDecodedOrRefusedWithA4xx() throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
            String name = seed.getKey();
            byte[] good = seed.getValue();
            for (int i = 1; i <= 12; i++) {
                cases.put(name + " truncated to " + i + "/13", Arrays.copyOf(good, good.length * i / 13));
            }
            Random random = new Random(name.hashCode());
            for (int i = 0; i < 12; i++) {
                byte[] bad = good.clone();
                int flips = 1 + random.nextInt(16);
                for (int f = 0; f < flips; f++) {
                    // past the magic bytes, so the format is still recognised and the decoder itself is exercised
                    int at = Math.min(bad.length - 1, 8 + random.nextInt(Math.max(1, bad.length - 8)));
                    bad[at] = (byte) random.nextInt(256);
                }
                cases.put(name + " with " + flips + " random bytes (seed " + i + ")", bad);
            }
            cases.put(name + " header only", Arrays.copyOf(good, Math.min(good.length, 32)));
        }
        for (int[] dims : new int[][] {{100_000, 100_000}, {65_535, 65_535}, {1, 200_000_000}, {200_000_000, 1}, {0, 10},
                {10, 0}, {Integer.MAX_VALUE, Integer.MAX_VALUE}}) {
            cases.put("PNG declaring " + dims[0] + "x" + dims[1], ImageDecoderTests.pngHeader(dims[0], dims[1]));
        }
        for (int[] depth : new int[][] {{16, 6}, {16, 2}, {16, 0}, {16, 4}, {8, 6}, {1, 0}, {4, 3}, {3, 2}, {8, 7}}) {
            cases.put("PNG 1900x2000 at " + depth[0] + " bits, colour type " + depth[1],
                    ImageDecoderTests.pngHeader(1900, 2000, depth[0], depth[1]));
        }
        cases.put("GIF declaring 65535x65535", gifHeader(65_535, 65_535));
        cases.put("BMP declaring 2000000x2000000 at 32 bits", bmpHeader(2_000_000, 2_000_000, 32));
        cases.put("BMP declaring a negative height", bmpHeader(100, -2_000_000_000, 24));
        cases.put("empty", new byte[0]);
        cases.put("one byte", new byte[] {(byte) 0x89});
        cases.put("text", "<html>not an image</html>".getBytes());
        Random garbage = new Random(7);
        for (int i = 0; i < 5; i++) {
            byte[] bytes = new byte[1 + garbage.nextInt(4096)];
            garbage.nextBytes(bytes);
            cases.put("garbage " + i, bytes);
        }
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> decodeOrRefuse(c.getValue())));
    }

    @AfterAll
    static void report() {
        System.out.println("Hostile image corpus (vision): " + OUTCOMES.values().stream().mapToInt(Integer::intValue).sum()
                + " cases, outcomes " + OUTCOMES);
    }

    private static void decodeOrRefuse(byte[] bytes) {
        String outcome = assertTimeoutPreemptively(PER_CASE, () -> {
            try {
                RgbImage image = DECODER.decode(bytes);
                assertThat(image.width()).isPositive();
                return "decoded";
            } catch (InvalidImageException e) {
                assertThat(e.code().httpStatus()).as(e.code() + ": " + e.getMessage()).isBetween(400, 499);
                assertThat(e.getMessage()).isNotBlank();
                return e.code().slug();
            }
        });
        synchronized (OUTCOMES) {
            OUTCOMES.merge(outcome, 1, Integer::sum);
        }
    }

    /** One small real image of each format the decoder reads, written by ImageIO or taken from the fixtures. */
    private static Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        BufferedImage image = new BufferedImage(97, 61, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x * 7 + y * 13) % 255 << 16 | (x * 3) % 255 << 8 | (y * 5) % 255);
            }
        }
        for (String format : List.of("jpeg", "png", "gif", "bmp", "tiff")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            seeds.put(format.toUpperCase(), out.toByteArray());
        }
        for (String fixture : List.of("decode/rgb.webp", "decode/lossy.webp", "decode/lzw.tif")) {
            try (InputStream in = HostileImageCorpusTests.class.getClassLoader().getResourceAsStream(fixture)) {
                seeds.put(fixture, in.readAllBytes());
            }
        }
        return seeds;
    }

    private static byte[] gifHeader(int width, int height) {
        ByteBuffer gif = ByteBuffer.allocate(13 + 6).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes()).putShort((short) width).putShort((short) height).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0x2C).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        return gif.array();
    }

    private static byte[] bmpHeader(int width, int height, int bits) {
        ByteBuffer bmp = ByteBuffer.allocate(54 + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(54 + 16).putInt(0).putInt(54)
                .putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) bits).putInt(0)
                .putInt(16).putInt(2835).putInt(2835).putInt(0).putInt(0);
        return bmp.array();
    }
}
