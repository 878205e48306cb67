package dev.ovis.serve.ocr.image;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.FloatBuffer;

/**
 * Resizing and the NCHW float layout the PP-OCR models read. Channels are written in BGR order:
 * PaddleOCR trains on OpenCV's BGR images, so channel 0 is blue.
 */
public final class Tensors {

    private Tensors() {
    }

    /** Bilinear resize through Java2D. */
    public static RgbImage resize(RgbImage image, int width, int height) {
        if (width == image.width() && height == image.height()) {
            return image;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image.toBufferedImage(), 0, 0, width, height, null);
        g.dispose();
        return new RgbImage(width, height, ((DataBufferInt) out.getRaster().getDataBuffer()).getData());
    }

    /**
     * Writes {@code image} into slot {@code index} of a {@code [N,3,height,width]} buffer at the
     * left, as {@code (value / 255 - mean[c]) / std[c]} for BGR channel c; columns beyond the
     * image's width stay as they are (the caller's padding).
     */
    public static void putBgr(FloatBuffer buffer, int index, RgbImage image, int height, int width,
            float[] mean, float[] std) {
        int plane = height * width;
        int base = index * 3 * plane;
        int w = Math.min(image.width(), width);
        int h = Math.min(image.height(), height);
        float[] scale = {1f / (255f * std[0]), 1f / (255f * std[1]), 1f / (255f * std[2])};
        float[] shift = {mean[0] / std[0], mean[1] / std[1], mean[2] / std[2]};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.rgb()[y * image.width() + x];
                int offset = base + y * width + x;
                buffer.put(offset, (p & 0xff) * scale[0] - shift[0]);
                buffer.put(offset + plane, ((p >> 8) & 0xff) * scale[1] - shift[1]);
                buffer.put(offset + 2 * plane, ((p >> 16) & 0xff) * scale[2] - shift[2]);
            }
        }
    }
}
