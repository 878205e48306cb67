package dev.ovis.serve.ocr.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Test JPEGs as a phone writes them: the pixels as the sensor stored them, and an EXIF APP1 segment whose
 * {@code Orientation} tag says how to turn them for display.
 */
public final class ExifJpeg {

    private ExifJpeg() {
    }

    /** {@code stored} encoded as a JPEG (ImageIO, JFIF) with an EXIF orientation tag 1..8 after its JFIF segment. */
    public static byte[] of(RgbImage stored, int orientation) throws IOException {
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        if (!ImageIO.write(stored.toBufferedImage(), "jpeg", encoded)) {
            throw new IllegalStateException("no JPEG writer");
        }
        byte[] jpeg = encoded.toByteArray();
        // after SOI and the JFIF APP0 segment (which must come first)
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        }
        byte[] app1 = {
            (byte) 0xFF, (byte) 0xE1, 0, 34,                  // APP1, length 34 (itself included)
            'E', 'x', 'i', 'f', 0, 0,                         // EXIF identifier
            'M', 'M', 0, 42, 0, 0, 0, 8,                      // big-endian TIFF header, first IFD at 8
            0, 1,                                             // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0                                        // no next IFD
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + app1.length);
        out.write(jpeg, 0, at);
        out.write(app1, 0, app1.length);
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }
}
