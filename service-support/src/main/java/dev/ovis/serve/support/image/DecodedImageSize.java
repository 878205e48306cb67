package dev.ovis.serve.support.image;

import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;

/**
 * How many bytes an image will take once decoded, read from its header before a single pixel is:
 * width × height × the bits of all its bands (the reader's raw image type: 3 × 8 for an RGB JPEG,
 * 4 × 32 for a float RGBA TIFF, 1 × 8 for a palette GIF). A pixel-count limit alone lets a 100 MP
 * float32 RGBA TIFF through, which needs 1.6 GB; every decoder of the suite checks this instead,
 * with {@link #refusal}. Used by {@link BoundedImageDecoder}, the image decoder of vision and OCR.
 *
 * @param width          declared width in pixels
 * @param height         declared height in pixels
 * @param bitsPerPixel   bits of all bands of one pixel as the decoder will hold them
 * @param bands          number of bands (channels)
 */
public record DecodedImageSize(long width, long height, int bitsPerPixel, int bands) {

    /** What a decoder holds per pixel when the reader does not say: a packed ARGB int. */
    static final int UNKNOWN_BITS_PER_PIXEL = 32;

    /** The bytes of the decoded raster. */
    public long bytes() {
        return (width * height * bitsPerPixel + 7) / 8;
    }

    public long pixels() {
        return width * height;
    }

    /**
     * The decoded size of image {@code index} of a reader whose input is set. Reads the header only;
     * an unreadable size fails with the reader's own {@link IOException} or runtime exception.
     */
    public static DecodedImageSize of(ImageReader reader, int index) throws IOException {
        long width = reader.getWidth(index);
        long height = reader.getHeight(index);
        ImageTypeSpecifier type;
        try {
            type = reader.getRawImageType(index);
            if (type == null) {
                Iterator<ImageTypeSpecifier> types = reader.getImageTypes(index);
                type = types != null && types.hasNext() ? types.next() : null;
            }
        } catch (IOException | RuntimeException unreadable) {
            // a type the reader cannot tell from a damaged header: it cannot decode the pixels either (that
            // fails later as corrupt), but the declared size is still checked, as a packed ARGB raster
            type = null;
        }
        if (type == null) {
            return new DecodedImageSize(width, height, UNKNOWN_BITS_PER_PIXEL, 4);
        }
        int bits = 0;
        for (int band = 0; band < type.getNumBands(); band++) {
            bits += type.getBitsPerBand(band);
        }
        // a sample is held in at least a byte per band unless the raster packs them (1-, 2-, 4-bit images)
        return new DecodedImageSize(width, height, Math.max(bits, 1), type.getNumBands());
    }

    /**
     * Why this image is refused under the limits, or {@code null} when it is within them.
     *
     * @param format          the format's name, for the message
     * @param maxPixels       the most pixels an image may declare
     * @param maxDecodedBytes the most bytes its decoded raster may take
     */
    public String refusal(String format, long maxPixels, long maxDecodedBytes) {
        if (pixels() > maxPixels) {
            return String.format(Locale.ROOT, "%s declares %dx%d = %.1f MP, above the limit of %.1f MP", format, width, height,
                    pixels() / 1e6, maxPixels / 1e6);
        }
        if (bytes() > maxDecodedBytes) {
            return String.format(Locale.ROOT, "%s declares %dx%d with %d bands of %d bits per pixel in all: %d MiB once"
                            + " decoded, above the limit of %d MiB", format, width, height, bands, bitsPerPixel,
                    bytes() >> 20, maxDecodedBytes >> 20);
        }
        return null;
    }
}
