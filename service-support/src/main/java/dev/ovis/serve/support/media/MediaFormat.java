package dev.ovis.serve.support.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The media the suite accepts, recognised from their first bytes (magic numbers), never from what a
 * client claimed: the one sniffer of the suite. The gateway types an upload with it (anything else is
 * refused, 415); the image decoder picks its reader with it.
 */
public enum MediaFormat {
    JPEG("image/jpeg", "jpeg"), PNG("image/png", "png"), GIF("image/gif", "gif"), BMP("image/bmp", "bmp"),
    TIFF("image/tiff", "tiff"), WEBP("image/webp", "webp"),
    AVI("video/x-msvideo", null), QUICKTIME("video/quicktime", null), MP4("video/mp4", null),
    WEBM("video/webm", null), MATROSKA("video/x-matroska", null);

    /** How many leading bytes {@link #sniff} needs to decide. */
    public static final int HEAD_BYTES = 64;

    /** ISO-BMFF brands that are still images (HEIF/AVIF), not the MP4/QuickTime videos we accept. */
    private static final Set<String> IMAGE_BRANDS = Set.of("heic", "heix", "hevc", "hevx", "mif1", "msf1", "avif", "avis");

    private final String contentType;
    private final String imageIoName;

    MediaFormat(String contentType, String imageIoName) {
        this.contentType = contentType;
        this.imageIoName = imageIoName;
    }

    /** The media type, e.g. {@code image/jpeg}. */
    public String contentType() {
        return contentType;
    }

    /** Whether this is a still-image container the image decoder reads (GIF included, animated or not). */
    public boolean isImage() {
        return imageIoName != null;
    }

    /** The ImageIO format name whose readers decode this container; only for {@link #isImage() images}. */
    public String imageIoName() {
        if (imageIoName == null) {
            throw new IllegalStateException(this + " is not an image");
        }
        return imageIoName;
    }

    /** The format of a blob starting with {@code head} (at least {@link #HEAD_BYTES} of it where it has them), if any. */
    public static Optional<MediaFormat> sniff(byte[] head) {
        if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) {
            return Optional.of(GIF);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of(WEBP);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "AVI ")) {
            return Optional.of(AVI);
        }
        if (isBmp(head)) {
            return Optional.of(BMP);
        }
        if (startsWith(head, 0, 'I', 'I', 0x2A, 0x00) || startsWith(head, 0, 'M', 'M', 0x00, 0x2A)) {
            return Optional.of(TIFF);
        }
        if (ascii(head, 4, "ftyp") && head.length >= 12) {
            String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
            if (IMAGE_BRANDS.contains(brand)) {
                return Optional.empty();
            }
            return Optional.of(brand.equals("qt  ") ? QUICKTIME : MP4);
        }
        if (startsWith(head, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
            return Optional.of(contains(head, "webm") ? WEBM : MATROSKA);
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
        // the EBML header's DocType is within the first bytes; a whole file need not be searched
        return new String(head, 0, Math.min(head.length, HEAD_BYTES), StandardCharsets.ISO_8859_1).contains(text);
    }
}
