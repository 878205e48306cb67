package dev.ovis.serve.support.image;

import dev.ovis.serve.support.media.MediaFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the container says before any pixel is decoded: the EXIF orientation, whether it is animated,
 * and for JPEG the component count, the Adobe transform and the bytes to decode with embedded ICC
 * profiles removed (Pillow ignores ICC profiles; the JDK decoder would apply them). Walks segment
 * and chunk headers only; a truncated header simply ends the walk and leaves the verdict to the decoder.
 *
 * @param decodable      the bytes to hand to the decoder
 * @param orientation    EXIF orientation 1..8
 * @param frames         frames seen, capped at 2 (2 means animated)
 * @param jpegComponents colour components of a JPEG (0 for other formats)
 * @param adobeTransform JPEG Adobe APP14 transform (-1 when absent)
 */
record ContainerScan(byte[] decodable, int orientation, int frames, int jpegComponents, int adobeTransform) {

    boolean animated() {
        return frames > 1;
    }

    /** Whether the container itself says bytes are missing (decoders of some formats fill the gap silently). */
    static boolean truncated(MediaFormat format, byte[] b) {
        if (format == MediaFormat.WEBP && b.length >= 8) {
            long riff = (b[4] & 0xFF) | (b[5] & 0xFF) << 8 | (b[6] & 0xFF) << 16 | ((long) (b[7] & 0xFF) << 24);
            return riff + 8 > b.length;
        }
        return false;
    }

    static ContainerScan of(MediaFormat format, byte[] b) {
        return switch (format) {
            case JPEG -> jpeg(b);
            case PNG -> png(b);
            case GIF -> new ContainerScan(b, 1, gifFrames(b), 0, -1);
            case WEBP -> webp(b);
            case TIFF -> new ContainerScan(b, ExifOrientation.read(b, 0, b.length), 1, 0, -1);
            case BMP -> new ContainerScan(b, 1, 1, 0, -1);
            default -> throw new IllegalArgumentException(format + " is not an image");
        };
    }

    private static ContainerScan jpeg(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, 2);
        int orientation = 1;
        int components = 0;
        int adobe = -1;
        int i = 2;
        while (i + 4 <= b.length && (b[i] & 0xFF) == 0xFF) {
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int len = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
            int payload = i + 4;
            int next = i + 2 + len;
            if (len < 2 || next > b.length) {
                break;
            }
            boolean drop = false;
            if (marker == 0xE1 && has(b, payload, next, "Exif\0\0")) {
                orientation = ExifOrientation.read(b, payload + 6, next - payload - 6);
            } else if (marker == 0xE2 && has(b, payload, next, "ICC_PROFILE\0")) {
                drop = true;
            } else if (marker == 0xEE && has(b, payload, next, "Adobe") && payload + 11 < next) {
                adobe = b[payload + 11] & 0xFF;
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                    && payload + 5 < next) {
                components = b[payload + 5] & 0xFF;
            }
            if (!drop) {
                out.write(b, i, next - i);
            }
            i = next;
        }
        out.write(b, i, b.length - i);
        byte[] decodable = out.size() == b.length ? b : out.toByteArray();
        return new ContainerScan(decodable, orientation, 1, components, adobe);
    }

    private static ContainerScan png(byte[] b) {
        int orientation = 1;
        int frames = 1;
        int i = 8;
        while (i + 12 <= b.length) {
            long len = ((long) (b[i] & 0xFF) << 24) | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
            String type = new String(b, i + 4, 4, StandardCharsets.ISO_8859_1);
            int data = i + 8;
            if (len > b.length - data) {
                break;
            }
            if (type.equals("acTL") && len >= 4) {
                long n = ((long) (b[data] & 0xFF) << 24) | (b[data + 1] & 0xFF) << 16 | (b[data + 2] & 0xFF) << 8 | (b[data + 3] & 0xFF);
                frames = (int) Math.min(2, Math.max(1, n));
            } else if (type.equals("eXIf")) {
                orientation = ExifOrientation.read(b, data, (int) len);
            } else if (type.equals("IEND")) {
                break;
            }
            i = (int) (data + len + 4);
        }
        return new ContainerScan(b, orientation, frames, 0, -1);
    }

    private static ContainerScan webp(byte[] b) {
        int orientation = 1;
        int frames = 1;
        int i = 12;
        while (i + 8 <= b.length) {
            String type = new String(b, i, 4, StandardCharsets.ISO_8859_1);
            long len = (b[i + 4] & 0xFF) | (b[i + 5] & 0xFF) << 8 | (b[i + 6] & 0xFF) << 16 | ((long) (b[i + 7] & 0xFF) << 24);
            int data = i + 8;
            if (len > b.length - data) {
                break;
            }
            if (type.equals("VP8X") && len >= 1 && (b[data] & 0x02) != 0) {
                frames = 2;
            } else if (type.equals("ANIM") || type.equals("ANMF")) {
                frames = 2;
            } else if (type.equals("EXIF")) {
                int skip = has(b, data, (int) (data + len), "Exif\0\0") ? 6 : 0;
                orientation = ExifOrientation.read(b, data + skip, (int) len - skip);
            }
            i = (int) (data + len + (len & 1));
        }
        return new ContainerScan(b, orientation, frames, 0, -1);
    }

    /** Counts image descriptors (up to 2) by walking the GIF block structure without decoding. */
    private static int gifFrames(byte[] b) {
        if (b.length < 13) {
            return 1;
        }
        int i = 13;
        if ((b[10] & 0x80) != 0) {
            i += 3 << ((b[10] & 0x07) + 1);
        }
        int frames = 0;
        while (i < b.length && frames < 2) {
            int block = b[i] & 0xFF;
            if (block == 0x21) {
                i = skipSubBlocks(b, i + 2);
            } else if (block == 0x2C) {
                frames++;
                if (i + 10 > b.length) {
                    break;
                }
                int flags = b[i + 9] & 0xFF;
                i += 10;
                if ((flags & 0x80) != 0) {
                    i += 3 << ((flags & 0x07) + 1);
                }
                i = skipSubBlocks(b, i + 1);
            } else {
                break;
            }
        }
        return Math.max(1, frames);
    }

    private static int skipSubBlocks(byte[] b, int i) {
        while (i < b.length) {
            int size = b[i] & 0xFF;
            i += 1 + size;
            if (size == 0) {
                return i;
            }
        }
        return b.length;
    }

    private static boolean has(byte[] b, int from, int to, String ascii) {
        if (from + ascii.length() > to) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (b[from + k] != (byte) ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
