package dev.ovis.serve.vision.image;

import java.util.Objects;

/**
 * An 8-bit RGB raster, row-major with interleaved samples ({@code R,G,B} per pixel): what Pillow holds
 * after {@code Image.open(...).convert('RGB')}, and what preprocessing reads.
 *
 * @param width  pixels per row (≥ 1)
 * @param height rows (≥ 1)
 * @param pixels {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image must be at least 1x1: " + width + "x" + height);
        }
        if (pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes, got " + pixels.length);
        }
    }

    /** The sample of channel {@code c} (0 = R, 1 = G, 2 = B) at (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
