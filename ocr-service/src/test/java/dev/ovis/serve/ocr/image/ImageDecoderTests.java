package dev.ovis.serve.ocr.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.image.InvalidImageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTests {

    private final ImageDecoder decoder = new ImageDecoder(10_000_000);

    @Test
    void decodesAPng() throws Exception {
        RgbImage image = decoder.decode(encode("png", 40, 30));

        assertThat(image.width()).isEqualTo(40);
        assertThat(image.height()).isEqualTo(30);
        assertThat(image.at(1, 0)).isEqualTo(0x336699);
        assertThat(image.at(0, 0)).isEqualTo(0xffffff);
    }

    @Test
    void zeroBytesAreCorrupt() {
        assertCode(new byte[0], ErrorCode.CORRUPT_MEDIA, "0 bytes");
    }

    @Test
    void textIsNotAnImage() {
        assertCode("hello, world".getBytes(StandardCharsets.UTF_8), ErrorCode.UNSUPPORTED_MEDIA_TYPE, "not an image");
    }

    @Test
    void aTruncatedPngIsCorrupt() throws IOException {
        byte[] png = encode("png", 200, 200);

        assertCode(Arrays.copyOf(png, png.length / 2), ErrorCode.CORRUPT_MEDIA, "PNG");
    }

    @Test
    void aTruncatedJpegIsCorruptNotGreyFilled() throws IOException {
        byte[] jpeg = encode("jpeg", 200, 200);

        assertCode(Arrays.copyOf(jpeg, jpeg.length / 2), ErrorCode.CORRUPT_MEDIA, "JPEG");
    }

    @Test
    void hugeDeclaredDimensionsAreRefusedBeforeDecoding() {
        // a valid PNG header declaring 100000 x 100000 pixels, with no pixel data at all
        byte[] header = pngHeader(100_000, 100_000);

        assertCode(header, ErrorCode.IMAGE_TOO_LARGE, "100000x100000");
    }

    @Test
    void aDeepImageIsRefusedByItsDecodedBytesBeforeDecoding() {
        // 9 MP is within the 10 MP limit, but 16-bit RGBA makes it 72 MB once decoded
        ImageDecoder tight = new ImageDecoder(10_000_000, 64L << 20);
        assertThatThrownBy(() -> tight.decode(pngHeader(3000, 3000, 16, 6)))
                .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("3000x3000", "64 bits");
                });
    }

    @Test
    void aPhoneJpegStoredSidewaysIsDecodedUprightAsItsExifOrientationSays() throws Exception {
        // given: an upright image with a distinct top-left corner, stored turned 90° counter-clockwise with
        // orientation 6 ("turn 90° clockwise to display"), as a phone held upright writes it
        RgbImage upright = blocks(64, 40);
        byte[] jpeg = ExifJpeg.of(upright.rotate90CounterClockwise(), 6);

        // when
        RgbImage image = decoder.decode(jpeg);

        // then
        assertThat(image.width()).isEqualTo(64);
        assertThat(image.height()).isEqualTo(40);
        assertThat(meanDifference(image, upright)).as("mean level difference to the upright image").isLessThan(6);
    }

    @Test
    void everyExifOrientationEndsUpright() throws Exception {
        RgbImage upright = blocks(48, 32);
        // the stored pixels for each orientation: what undoes the turn or mirror the tag asks for
        RgbImage mirrored = mirror(upright);
        RgbImage[] stored = {null, upright, mirrored, upright.rotate180(), mirrored.rotate180(),
                mirrored.rotate90CounterClockwise(), upright.rotate90CounterClockwise(),
                mirrored.rotate90CounterClockwise().rotate180(), upright.rotate90CounterClockwise().rotate180()};
        for (int orientation = 1; orientation <= 8; orientation++) {
            RgbImage image = decoder.decode(ExifJpeg.of(stored[orientation], orientation));

            assertThat(image.width()).as("orientation " + orientation).isEqualTo(48);
            assertThat(meanDifference(image, upright)).as("orientation " + orientation).isLessThan(6);
        }
    }

    /** Four solid quadrants of different colours: any turn or mirror moves a colour to another corner. */
    private static RgbImage blocks(int w, int h) {
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = x < w / 2 ? (y < h / 2 ? 0xff0000 : 0x00ff00) : (y < h / 2 ? 0x0000ff : 0xffffff);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static RgbImage mirror(RgbImage image) {
        int[] out = new int[image.rgb().length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                out[y * image.width() + image.width() - 1 - x] = image.at(x, y);
            }
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    private static double meanDifference(RgbImage a, RgbImage b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                sum += Math.abs((a.rgb()[i] >> shift & 0xff) - (b.rgb()[i] >> shift & 0xff));
            }
        }
        return sum / (3.0 * a.rgb().length);
    }

    private void assertCode(byte[] bytes, ErrorCode code, String detail) {
        assertThatThrownBy(() -> decoder.decode(bytes)).isInstanceOfSatisfying(InvalidImageException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(detail);
        });
    }

    private static byte[] encode(String format, int w, int h) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x + y) % 7 == 0 ? 0xffffff : 0x336699);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static byte[] pngHeader(int w, int h) {
        return pngHeader(w, h, 8, 2);
    }

    private static byte[] pngHeader(int w, int h, int bitDepth, int colorType) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 17 + 4).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }
}
