package dev.ovis.serve.vision.image;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.image.BoundedImageDecoder;
import dev.ovis.serve.support.image.DecodedImage;
import dev.ovis.serve.support.image.InvalidImageException;

/**
 * Decodes JPEG, PNG, GIF, BMP, TIFF and WebP bytes into the RGB raster Pillow's
 * {@code Image.open(...).convert('RGB')} gives (ovis2.md §13), turned as its EXIF orientation says. The
 * bounded decoding itself (magic bytes, pixel and decoded-bytes limits before any pixel, EXIF) is the
 * suite's one {@link BoundedImageDecoder}, in {@link BoundedImageDecoder.Fidelity#PILLOW Pillow fidelity};
 * this class adds the Pillow colour conversion. Thread-safe.
 */
public final class ImageDecoder {

    private final BoundedImageDecoder decoder;

    public ImageDecoder(ImageProperties properties) {
        this.decoder = new BoundedImageDecoder(properties.maxBytes(), properties.maxPixels(), properties.maxDecodedBytes(),
                properties.rejectAnimated(), properties.applyOrientation(), BoundedImageDecoder.Fidelity.PILLOW);
    }

    public RgbImage decode(byte[] bytes) throws InvalidImageException {
        DecodedImage decoded = decoder.decode(bytes);
        try {
            // Pillow reads Adobe CMYK JPEGs as inverted CMYK ('CMYK;I')
            return decoded.image() == null ? PillowRgbConversion.cmyk(decoded.adobeCmyk(), true)
                    : PillowRgbConversion.convert(decoded.image());
        } catch (RuntimeException e) {
            throw new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "cannot decode " + decoded.format() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }
}
