package dev.ovis.serve.video.decode;

/**
 * One decoded candidate frame: packed 8-bit RGB, row-major, no padding.
 *
 * @param timestamp seconds from the start of the video
 * @param width     pixels
 * @param height    pixels
 * @param rgb       {@code width × height × 3} bytes
 */
public record RgbFrame(double timestamp, int width, int height, byte[] rgb) {

    public RgbFrame {
        if (width < 1 || height < 1 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " with " + rgb.length + " bytes");
        }
    }

    /** Red, green or blue (0–255) of pixel (x, y). */
    public int sample(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }
}
