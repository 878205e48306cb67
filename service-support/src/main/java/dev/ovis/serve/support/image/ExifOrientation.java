package dev.ovis.serve.support.image;

import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.lang.reflect.Array;

/**
 * Reads the EXIF {@code Orientation} tag (0x0112) from a TIFF-structured block (the payload of a JPEG
 * APP1 "Exif" segment, a PNG {@code eXIf} chunk, a WebP {@code EXIF} chunk, or a TIFF file itself)
 * and applies it to a decoded raster. Malformed EXIF is ignored (orientation 1): it must never fail an image.
 */
final class ExifOrientation {

    private static final int ORIENTATION_TAG = 0x0112;

    private ExifOrientation() {
    }

    /** The orientation 1..8 stated in {@code b[off, off+len)}, or 1 when absent or unreadable. */
    static int read(byte[] b, int off, int len) {
        int end = Math.min(b.length, off + len);
        if (off < 0 || end - off < 8) {
            return 1;
        }
        boolean little;
        if (b[off] == 'I' && b[off + 1] == 'I') {
            little = true;
        } else if (b[off] == 'M' && b[off + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(b, off + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(b, off + 4, little);
        if (ifd < 8 || off + ifd + 2 > end) {
            return 1;
        }
        int at = (int) (off + ifd);
        int entries = u16(b, at, little);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + i * 12;
            if (e + 12 > end) {
                return 1;
            }
            if (u16(b, e, little) == ORIENTATION_TAG) {
                int type = u16(b, e + 2, little);
                int value = type == 3 ? u16(b, e + 8, little) : type == 4 ? (int) u32(b, e + 8, little) : 1;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /**
     * The raster as a viewer honouring {@code orientation} shows it (ImageOps.exif_transpose semantics),
     * in the raster's own layout: whole rows are moved (a row of the source becomes a row or a column of
     * the result, reversed or not), so any sample model works — interleaved, packed, palette, CMYK.
     */
    static Raster apply(Raster src, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean column = orientation >= 5;
        boolean reversed = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
        boolean fromBottom = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
        WritableRaster out = src.createCompatibleWritableRaster(column ? h : w, column ? w : h);
        int n = src.getNumDataElements();
        Object row = null;
        Object flipped = null;
        for (int sy = 0; sy < h; sy++) {
            row = src.getDataElements(src.getMinX(), src.getMinY() + sy, w, 1, row);
            Object line = row;
            if (reversed) {
                if (flipped == null) {
                    flipped = Array.newInstance(row.getClass().getComponentType(), Array.getLength(row));
                }
                for (int sx = 0; sx < w; sx++) {
                    System.arraycopy(row, sx * n, flipped, (w - 1 - sx) * n, n);
                }
                line = flipped;
            }
            int target = fromBottom ? h - 1 - sy : sy;
            if (column) {
                out.setDataElements(target, 0, 1, w, line);
            } else {
                out.setDataElements(0, target, w, 1, line);
            }
        }
        return out;
    }

    private static int u16(byte[] b, int i, boolean little) {
        int b0 = b[i] & 0xFF;
        int b1 = b[i + 1] & 0xFF;
        return little ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static long u32(byte[] b, int i, boolean little) {
        long lo = u16(b, little ? i : i + 2, little);
        long hi = u16(b, little ? i + 2 : i, little);
        return hi << 16 | lo;
    }
}
