package dev.ovis.serve.vision.image;

import dev.ovis.serve.support.image.InvalidImageException;
import dev.ovis.serve.common.error.ErrorCode;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded raster into 8-bit RGB by Pillow 9.4's {@code convert('RGB')} rules (ovis2.md §13.2):
 * grey replicated, alpha dropped without compositing, palettes looked up (indices past the palette
 * give grey), 16-bit RGB keeps the high byte, 16-bit grey clamps to 255 (Pillow opens it as I / I;16),
 * CMYK by Pillow's integer formula. Reads raster samples, never {@code getRGB()}, which would put
 * grey through a colour-managed conversion.
 */
final class PillowRgbConversion {

    private PillowRgbConversion() {
    }

    static RgbImage convert(BufferedImage image) throws InvalidImageException {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return palette(raster, icm);
        }
        int type = cm.getColorSpace().getType();
        if (type == ColorSpace.TYPE_GRAY) {
            return grey(raster, cm.getComponentSize(0), cm.hasAlpha());
        }
        if (type == ColorSpace.TYPE_RGB && cm instanceof DirectColorModel dcm) {
            return packed(raster, dcm);
        }
        if (type == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3) {
            return rgb(raster, cm.getComponentSize(0));
        }
        if (type == ColorSpace.TYPE_CMYK && raster.getNumBands() >= 4) {
            return cmyk(raster, false);
        }
        throw new InvalidImageException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "unsupported colour model (colour space type " + type + ", " + raster.getNumBands() + " bands)");
    }

    /**
     * CMYK from a 4-band raster as Pillow converts it: {@code nk = 255 - K; R = nk - round(C·nk/255)}.
     * {@code inverted}: the samples are stored inverted (Adobe JPEGs), as Pillow's {@code CMYK;I} reads them.
     */
    static RgbImage cmyk(Raster raster, boolean inverted) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * raster.getNumBands()];
        int bands = raster.getNumBands();
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                int c = row[p] & 0xFF;
                int m = row[p + 1] & 0xFF;
                int yy = row[p + 2] & 0xFF;
                int k = row[p + 3] & 0xFF;
                if (inverted) {
                    c = 255 - c;
                    m = 255 - m;
                    yy = 255 - yy;
                    k = 255 - k;
                }
                int nk = 255 - k;
                out[o++] = (byte) (nk - mul255(c, nk));
                out[o++] = (byte) (nk - mul255(m, nk));
                out[o++] = (byte) (nk - mul255(yy, nk));
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Pillow's {@code MULDIV255}: round(a·b/255) in integers. */
    private static int mul255(int a, int b) {
        int t = a * b + 128;
        return (t + (t >> 8)) >> 8;
    }

    private static RgbImage palette(Raster raster, IndexColorModel icm) {
        int size = icm.getMapSize();
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) {
            lut[i] = i < size ? (icm.getRed(i) << 16) | (icm.getGreen(i) << 8) | icm.getBlue(i) : (i << 16) | (i << 8) | i;
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int rgb = lut[row[x] & 0xFF];
                out[o++] = (byte) (rgb >> 16);
                out[o++] = (byte) (rgb >> 8);
                out[o++] = (byte) rgb;
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage grey(Raster raster, int bits, boolean alpha) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int max = (1 << bits) - 1;
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                if (bits < 8) {
                    v = v * 255 / max;
                } else if (bits > 8) {
                    v = alpha ? v >> (bits - 8) : Math.min(v, 255);
                }
                byte g = (byte) v;
                out[o++] = g;
                out[o++] = g;
                out[o++] = g;
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage rgb(Raster raster, int bits) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        if (bits == 8 && raster.getDataBuffer() instanceof DataBufferByte db
                && raster.getSampleModel() instanceof ComponentSampleModel sm && raster.getParent() == null) {
            byte[] data = db.getData();
            int[] offsets = sm.getBandOffsets();
            int stride = sm.getScanlineStride();
            int step = sm.getPixelStride();
            int o = 0;
            for (int y = 0; y < h; y++) {
                int p = db.getOffset() + y * stride;
                for (int x = 0; x < w; x++, p += step) {
                    out[o++] = data[p + offsets[0]];
                    out[o++] = data[p + offsets[1]];
                    out[o++] = data[p + offsets[2]];
                }
            }
            return new RgbImage(w, h, out);
        }
        int bands = raster.getNumBands();
        int shift = Math.max(0, bits - 8);
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                out[o++] = (byte) (row[p] >> shift);
                out[o++] = (byte) (row[p + 1] >> shift);
                out[o++] = (byte) (row[p + 2] >> shift);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Packed pixels (BMP 16/32-bit, INT_RGB): each field scaled to 8 bits as Pillow's unpackers do (floor). */
    private static RgbImage packed(Raster raster, DirectColorModel dcm) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] masks = {dcm.getRedMask(), dcm.getGreenMask(), dcm.getBlueMask()};
        int[] maxima = new int[3];
        for (int c = 0; c < 3; c++) {
            maxima[c] = masks[c] >>> Integer.numberOfTrailingZeros(masks[c]);
        }
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            // Packed sample models hand out each field unscaled, one band per mask.
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = row[x * bands + c];
                    out[o++] = (byte) (maxima[c] == 255 ? v : v * 255 / maxima[c]);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
