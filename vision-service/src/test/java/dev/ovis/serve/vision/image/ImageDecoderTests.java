package dev.ovis.serve.vision.image;

import dev.ovis.serve.support.image.InvalidImageException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decoding against Pillow 9.4's {@code convert('RGB')} on every container and colour model
 * ({@code src/test/resources/decode/}, made by its {@code make_decode_vectors.py}), and every kind
 * of bad input ending in the right {@link ErrorCode}.
 */
class ImageDecoderTests {

    private static final JsonNode EXPECTED = readExpected();
    private final ImageDecoder decoder = new ImageDecoder(ImageProperties.defaults());

    static Stream<String> stills() {
        return EXPECTED.propertyNames().stream().filter(n -> !EXPECTED.get(n).has("animated"));
    }

    @ParameterizedTest
    @MethodSource("stills")
    void decodesLikePillow(String name) throws Exception {
        // given
        JsonNode expected = EXPECTED.get(name);
        // when
        RgbImage image = decoder.decode(resource("decode/" + name));
        // then
        assertThat(image.width()).isEqualTo(expected.get("width").asInt());
        assertThat(image.height()).isEqualTo(expected.get("height").asInt());
        if (name.equals("lossy.webp")) {
            // Lossy WebP: TwelveMonkeys' VP8 decoder is not libwebp (measured: mean 0.5, max 5 levels here).
            byte[] pillow = resource("decode/" + name + ".rgb");
            double sum = 0;
            int max = 0;
            for (int i = 0; i < pillow.length; i++) {
                int d = Math.abs((pillow[i] & 0xFF) - (image.pixels()[i] & 0xFF));
                sum += d;
                max = Math.max(max, d);
            }
            assertThat(sum / pillow.length).as("mean level difference").isLessThan(1.0);
            assertThat(max).as("max level difference").isLessThanOrEqualTo(8);
            return;
        }
        assertThat(sha256(image.pixels())).as(name + " (Pillow mode " + expected.get("mode").asString() + ")")
                .isEqualTo(expected.get("sha256").asString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"animated.gif", "animated.png", "animated.webp"})
    void refusesAnimatedImages(String name) {
        assertThatThrownBy(() -> decoder.decode(resource("decode/" + name)))
                .isInstanceOfSatisfying(InvalidImageException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE))
                .hasMessageContaining("animated");
    }

    @Test
    void usesTheFirstFrameOfAnAnimationWhenConfigured() throws Exception {
        ImageDecoder lenient = new ImageDecoder(new ImageProperties(100_000_000L, 1L << 26, false, true));
        assertThat(lenient.decode(resource("decode/animated.gif")).width()).isEqualTo(61);
    }

    @Test
    void refusesAnEmptyFile() {
        assertCode(new byte[0], ErrorCode.CORRUPT_MEDIA, "empty");
    }

    @Test
    void refusesWhatIsNoImage() {
        assertCode("%PDF-1.7 not an image".getBytes(), ErrorCode.UNSUPPORTED_MEDIA_TYPE, "not a JPEG");
    }

    @ParameterizedTest
    @ValueSource(strings = {"conformance/images/photo.jpg", "conformance/images/vga.png", "decode/static.gif",
            "decode/rgb.webp", "decode/rgb.tif", "decode/rgb24.bmp"})
    void refusesTruncatedFiles(String path) throws Exception {
        byte[] whole = resource(path);
        byte[] half = Arrays.copyOf(whole, whole.length / 2);
        assertCode(half, ErrorCode.CORRUPT_MEDIA, "");
    }

    @Test
    void refusesCorruptBytesBehindAValidSignature() throws Exception {
        byte[] png = resource("conformance/images/vga.png");
        for (int i = 100; i < png.length; i += 7) {
            png[i] ^= 0x5A;
        }
        assertCode(png, ErrorCode.CORRUPT_MEDIA, "PNG");
    }

    @Test
    void refusesADeepImageByItsDecodedBytesAlthoughItsPixelCountIsFine() {
        // 9 MP of 16-bit RGBA: 72 MB once decoded, over a 64 MiB limit; the same size at 8-bit RGB is 27 MB
        ImageDecoder tight = new ImageDecoder(new ImageProperties(100_000_000L, 1L << 26, true, true, 64L << 20));
        assertThatThrownBy(() -> tight.decode(pngHeader(3000, 3000, 16, 6)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("3000x3000", "4 bands", "64 bits", "64 MiB");
                });
        assertThatThrownBy(() -> tight.decode(pngHeader(3000, 3000, 8, 2)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isNotEqualTo(ErrorCode.IMAGE_TOO_LARGE));
    }

    @Test
    void refusesAPngBombBeforeDecoding() {
        // A 50000 x 50000 PNG header (2.5 GP) with nothing behind it: refused from the header alone.
        assertCode(pngHeader(50_000, 50_000), ErrorCode.IMAGE_TOO_LARGE, "2500.0 MP");
    }

    @Test
    void refusesAJpegBombBeforeDecoding() throws Exception {
        byte[] jpeg = resource("conformance/images/photo.jpg");
        int sof = indexOfMarker(jpeg, 0xC0, 0xC2);
        // SOF payload: length(2) precision(1) height(2) width(2); 60000 x 60000 (libjpeg's own limit is 65500).
        jpeg[sof + 5] = (byte) 0xEA;
        jpeg[sof + 6] = (byte) 0x60;
        jpeg[sof + 7] = (byte) 0xEA;
        jpeg[sof + 8] = (byte) 0x60;
        assertCode(jpeg, ErrorCode.IMAGE_TOO_LARGE, "60000x60000");
    }

    @Test
    void honoursAConfiguredPixelLimit() throws Exception {
        ImageDecoder small = new ImageDecoder(new ImageProperties(640 * 480 - 1, 1L << 26, true, true));
        assertThatThrownBy(() -> small.decode(resource("conformance/images/vga.png")))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE));
    }

    @Test
    void ignoresOrientationWhenConfigured() throws Exception {
        ImageDecoder raw = new ImageDecoder(new ImageProperties(100_000_000L, 1L << 26, true, false));
        RgbImage image = raw.decode(resource("decode/orient6.jpg"));
        assertThat(image.width()).isEqualTo(61);
        assertThat(image.height()).isEqualTo(47);
    }

    private void assertCode(byte[] bytes, ErrorCode code, String detail) {
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(detail);
    }

    private static int indexOfMarker(byte[] b, int... markers) {
        for (int i = 2; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF) {
                for (int m : markers) {
                    if ((b[i + 1] & 0xFF) == m) {
                        return i;
                    }
                }
            }
        }
        throw new IllegalStateException("no SOF marker");
    }

    static byte[] pngHeader(int width, int height) {
        return pngHeader(width, height, 8, 2);
    }

    static byte[] pngHeader(int width, int height, int bitDepth, int colorType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13});
        byte[] ihdr = {'I', 'H', 'D', 'R', (byte) (width >>> 24), (byte) (width >>> 16), (byte) (width >>> 8), (byte) width,
                (byte) (height >>> 24), (byte) (height >>> 16), (byte) (height >>> 8), (byte) height,
                (byte) bitDepth, (byte) colorType, 0, 0, 0};
        out.writeBytes(ihdr);
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        long v = crc.getValue();
        out.writeBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = ImageDecoderTests.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing test resource " + path);
            }
            return in.readAllBytes();
        }
    }

    private static JsonNode readExpected() {
        try {
            return JsonMapper.builder().build().readTree(resource("decode/expected.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
