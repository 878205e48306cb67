package dev.ovis.serve.support.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

class DecodedImageSizeTests {

    @Test
    void bytesPerPixelComeFromTheHeadersBandsAndBitDepth() throws Exception {
        // given PNG headers of the same size and different depths
        DecodedImageSize rgb8 = size(png(1000, 1000, 8, 2));
        DecodedImageSize rgba16 = size(png(1000, 1000, 16, 6));
        DecodedImageSize gray1 = size(png(1000, 1000, 1, 0));

        // then the decoded bytes follow bands × bits
        assertThat(rgb8.bytes()).isEqualTo(3_000_000);
        assertThat(rgba16.bytes()).isEqualTo(8_000_000);
        assertThat(rgba16.bands()).isEqualTo(4);
        assertThat(gray1.bytes()).isEqualTo(125_000);
    }

    @Test
    void aDeepImageIsRefusedByBytesAlthoughItsPixelCountIsWithinTheLimit() throws Exception {
        // 36 MP is under 40 MP, but 16-bit RGBA makes it 288 MB
        DecodedImageSize deep = size(png(6000, 6000, 16, 6));
        assertThat(deep.refusal("PNG", 40_000_000, 256L << 20)).contains("6000x6000", "4 bands", "64 bits", "274 MiB", "256 MiB");
        assertThat(size(png(6000, 6000, 8, 6)).refusal("PNG", 40_000_000, 256L << 20)).isNull();
        assertThat(size(png(7000, 7000, 8, 2)).refusal("PNG", 40_000_000, 256L << 20)).contains("49.0 MP", "40.0 MP");
    }

    private static DecodedImageSize size(byte[] image) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in, true, true);
                return DecodedImageSize.of(reader, 0);
            } finally {
                reader.dispose();
            }
        }
    }

    /** A PNG whose header declares the given size and depth; its pixel data is a few bytes only. */
    static byte[] png(int width, int height, int bitDepth, int colorType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
