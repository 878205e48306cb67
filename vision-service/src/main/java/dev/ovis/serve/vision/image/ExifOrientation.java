package dev.ovis.serve.vision.image;

/**
 * Reads the EXIF {@code Orientation} tag (0x0112) from a TIFF-structured block (the payload of a JPEG
 * APP1 "Exif" segment, a PNG {@code eXIf} chunk, a WebP {@code EXIF} chunk, or a TIFF file itself)
 * and applies it to a raster. Malformed EXIF is ignored (orientation 1): it must never fail an image.
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

    /** The raster as a viewer honouring {@code orientation} shows it (ImageOps.exif_transpose semantics). */
    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = img.pixels();
        byte[] out = new byte[src.length];
        int o = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - ox; sy = oy; }
                    case 3 -> { sx = w - 1 - ox; sy = h - 1 - oy; }
                    case 4 -> { sx = ox; sy = h - 1 - oy; }
                    case 5 -> { sx = oy; sy = ox; }
                    case 6 -> { sx = oy; sy = h - 1 - ox; }
                    case 7 -> { sx = w - 1 - oy; sy = h - 1 - ox; }
                    default -> { sx = w - 1 - oy; sy = ox; }
                }
                int s = (sy * w + sx) * 3;
                out[o++] = src[s];
                out[o++] = src[s + 1];
                out[o++] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
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
