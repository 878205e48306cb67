package dev.ovis.serve.ocr.image;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.image.BoundedImageDecoder;
import dev.ovis.serve.support.image.DecodedImage;
import dev.ovis.serve.support.image.InvalidImageException;

/**
 * Decodes untrusted image bytes into the packed RGB the engines read, upright as the EXIF orientation says
 * (a phone photo taken sideways is read as the phone showed it). The bounded decoding (magic bytes, pixel
 * count and decoded bytes checked <em>before</em> any pixel is decoded, EXIF) is the suite's one
 * {@link BoundedImageDecoder}, in {@link BoundedImageDecoder.Fidelity#STRICT strict fidelity}: any decoder
 * warning (e.g. a truncated JPEG that Java would otherwise fill with grey) counts as corruption. The encoded
 * size is bounded before, when the stage reads the object.
 *
 * @param maxPixels       the most pixels an image may declare
 * @param maxDecodedBytes the most bytes its decoded raster may take (width × height × bits of all bands, from the
 *                        header): a deep image is refused although its pixel count is fine
 */
public record ImageDecoder(long maxPixels, long maxDecodedBytes) {

    /** The default decoded-bytes limit, 256 MiB: script detection and binarisation copy the image several times. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 256L << 20;

    public ImageDecoder(long maxPixels) {
        this(maxPixels, DEFAULT_MAX_DECODED_BYTES);
    }

    /** The upright packed RGB of {@code bytes}, or an {@link InvalidImageException} with its code and why. */
    public RgbImage decode(byte[] bytes) throws InvalidImageException {
        // animated images: their first frame, as ImageIO reads them
        DecodedImage decoded = new BoundedImageDecoder(Long.MAX_VALUE, maxPixels, maxDecodedBytes, false, true,
                BoundedImageDecoder.Fidelity.STRICT).decode(bytes);
        if (decoded.image() == null) {
            // what OCR has always answered for them: ImageIO has no colour conversion for CMYK/YCCK JPEGs
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "JPEG data cannot be decoded: a CMYK/YCCK JPEG");
        }
        return RgbImage.of(decoded.image());
    }
}
