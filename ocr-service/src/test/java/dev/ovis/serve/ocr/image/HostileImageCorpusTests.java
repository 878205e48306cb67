package dev.ovis.serve.ocr.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ovis.serve.support.image.InvalidImageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The OCR stage's part of the hostile-input corpus (docs/reliability.md): truncated and corrupted
 * files of every format OCR reads, dimension and bit-depth bombs, empty and garbage files. Each
 * decodes or is refused with a 4xx {@link InvalidImageException} (the stage's failed job with a reason) —
 * never another exception, never more than a few seconds.
 */
class HostileImageCorpusTests {

    /** Production's limits scaled down (4 MP, 32 MiB decoded), so images just within them stay small. */
    private static final ImageDecoder DECODER = new ImageDecoder(4_000_000, 32L << 20);
    private static final Map<String, Integer> OUTCOMES = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> everyHostileImageIsDecodedOrRefusedWithA4xx() throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        BufferedImage image = new BufferedImage(83, 47, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x + y) % 5 == 0 ? 0 : 0xffffff);
            }
        }
        for (String format : List.of("png", "jpeg", "gif", "bmp", "tiff")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            byte[] good = out.toByteArray();
            for (int i = 1; i <= 10; i++) {
                cases.put(format + " truncated to " + i + "/11", Arrays.copyOf(good, good.length * i / 11));
            }
            Random random = new Random(format.hashCode());
            for (int i = 0; i < 10; i++) {
                byte[] bad = good.clone();
                int flips = 1 + random.nextInt(16);
                for (int f = 0; f < flips; f++) {
                    bad[Math.min(bad.length - 1, 8 + random.nextInt(Math.max(1, bad.length - 8)))] = (byte) random.nextInt(256);
                }
                cases.put(format + " with " + flips + " random bytes (seed " + i + ")", bad);
            }
        }
        for (int[] header : new int[][] {{100_000, 100_000, 8, 2}, {1, 100_000_000, 8, 0}, {1900, 2000, 16, 6},
                {1900, 2000, 16, 2}, {1900, 2000, 8, 6}, {1900, 2000, 1, 0}, {0, 5, 8, 2}, {5, 5, 7, 2}}) {
            cases.put("PNG " + header[0] + "x" + header[1] + " at " + header[2] + " bits, colour type " + header[3],
                    png(header[0], header[1], header[2], header[3]));
        }
        cases.put("empty", new byte[0]);
        Random garbage = new Random(11);
        for (int i = 0; i < 4; i++) {
            byte[] bytes = new byte[1 + garbage.nextInt(2048)];
            garbage.nextBytes(bytes);
            cases.put("garbage " + i, bytes);
        }
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> decodeOrRefuse(c.getValue())));
    }

    @AfterAll
    static void report() {
        System.out.println("Hostile image corpus (ocr): " + OUTCOMES.values().stream().mapToInt(Integer::intValue).sum()
                + " cases, outcomes " + OUTCOMES);
    }

    private static void decodeOrRefuse(byte[] bytes) {
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                assertThat(DECODER.decode(bytes).width()).isPositive();
                return "decoded";
            } catch (InvalidImageException e) {
                assertThat(e.code().httpStatus()).as(e.code() + ": " + e.getMessage()).isBetween(400, 499);
                return e.code().slug();
            }
        });
        synchronized (OUTCOMES) {
            OUTCOMES.merge(outcome, 1, Integer::sum);
        }
    }

    private static byte[] png(int w, int h, int bitDepth, int colorType) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 17 + 4).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }
}
