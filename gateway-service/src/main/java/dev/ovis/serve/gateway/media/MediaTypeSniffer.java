package dev.ovis.serve.gateway.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the real type of an upload from its first bytes (magic numbers), never from what the
 * client claimed. Only types the stages can decode are recognised; anything else is refused (415).
 */
final class MediaTypeSniffer {

    /** How many leading bytes {@link #sniff} needs to decide. */
    static final int HEAD_BYTES = 64;

    /** ISO-BMFF brands that are still images (HEIF/AVIF), not the MP4/QuickTime videos we accept. */
    private static final Set<String> IMAGE_BRANDS = Set.of("heic", "heix", "hevc", "hevx", "mif1", "msf1", "avif", "avis");

    private MediaTypeSniffer() {
    }

    /** The content type of a blob starting with {@code head}, or empty when it is not supported. */
    static Optional<String> sniff(byte[] head) {
        if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) {
            return Optional.of("image/gif");
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of("image/webp");
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "AVI ")) {
            return Optional.of("video/x-msvideo");
        }
        if (isBmp(head)) {
            return Optional.of("image/bmp");
        }
        if (startsWith(head, 0, 'I', 'I', 0x2A, 0x00) || startsWith(head, 0, 'M', 'M', 0x00, 0x2A)) {
            return Optional.of("image/tiff");
        }
        if (ascii(head, 4, "ftyp") && head.length >= 12) {
            String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
            if (IMAGE_BRANDS.contains(brand)) {
                return Optional.empty();
            }
            return Optional.of(brand.equals("qt  ") ? "video/quicktime" : "video/mp4");
        }
        if (startsWith(head, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
            return Optional.of(contains(head, "webm") ? "video/webm" : "video/x-matroska");
        }
        return Optional.empty();
    }

    /** "BM", then a DIB header whose size is one of the known BITMAP*HEADER sizes (BM alone is too weak). */
    private static boolean isBmp(byte[] head) {
        if (!ascii(head, 0, "BM") || head.length < 18) {
            return false;
        }
        int dibSize = (head[14] & 0xFF) | (head[15] & 0xFF) << 8 | (head[16] & 0xFF) << 16 | (head[17] & 0xFF) << 24;
        return dibSize == 12 || dibSize == 40 || dibSize == 52 || dibSize == 56 || dibSize == 64
                || dibSize == 108 || dibSize == 124;
    }

    private static boolean startsWith(byte[] head, int offset, int... expected) {
        if (head.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((head[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] head, int offset, String text) {
        byte[] expected = text.getBytes(StandardCharsets.US_ASCII);
        return head.length >= offset + expected.length
                && Arrays.equals(head, offset, offset + expected.length, expected, 0, expected.length);
    }

    private static boolean contains(byte[] head, String text) {
        return new String(head, StandardCharsets.ISO_8859_1).contains(text);
    }
}
