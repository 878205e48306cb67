package dev.ovis.serve.ocr.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * A decoded image as packed {@code 0xRRGGBB} pixels, row-major. The engines read pixels directly
 * (BGR tensors, crops) instead of going through Java2D per pixel.
 *
 * @param width  width in pixels
 * @param height height in pixels
 * @param rgb    {@code width * height} packed pixels
 */
public record RgbImage(int width, int height, int[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != width * height) {
            throw new IllegalArgumentException("bad image geometry " + width + "x" + height);
        }
    }

    /** Copies any {@link BufferedImage} into packed RGB (alpha composed onto white). */
    public static RgbImage of(BufferedImage image) {
        BufferedImage rgbImage = image;
        if (image.getType() != BufferedImage.TYPE_INT_RGB) {
            rgbImage = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            var g = rgbImage.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
            g.dispose();
        }
        int[] data = ((DataBufferInt) rgbImage.getRaster().getDataBuffer()).getData();
        return new RgbImage(image.getWidth(), image.getHeight(),
                rgbImage == image ? data.clone() : data);
    }

    /** A {@link BufferedImage} view sharing the pixels. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.getRaster().setDataElements(0, 0, width, height, rgb);
        return image;
    }

    public int at(int x, int y) {
        return rgb[y * width + x];
    }

    /** This image turned by 180°. */
    public RgbImage rotate180() {
        int[] out = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[rgb.length - 1 - i] = rgb[i];
        }
        return new RgbImage(width, height, out);
    }

    /** This image turned 90° counter-clockwise (as numpy's {@code rot90}). */
    public RgbImage rotate90CounterClockwise() {
        int[] out = new int[rgb.length];
        int newWidth = height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[(width - 1 - x) * newWidth + y] = rgb[y * width + x];
            }
        }
        return new RgbImage(height, width, out);
    }
}
