package dev.ovis.serve.support.image;

import dev.ovis.serve.support.media.MediaFormat;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * What {@link BoundedImageDecoder} decoded, already turned upright when the decoder applies EXIF orientation,
 * in the decoder's own colour model: each service converts it to the pixels it works on (vision: Pillow's
 * {@code convert('RGB')}, OCR: packed RGB on white). Exactly one of {@code image} and {@code adobeCmyk} is set.
 *
 * @param format    the container, from its magic bytes
 * @param image     the decoded image, or {@code null} for a CMYK/YCCK JPEG
 * @param adobeCmyk a 4-component JPEG's raw raster, samples stored inverted as Adobe writes them (the JDK
 *                  cannot build a {@link BufferedImage} of it), or {@code null}
 */
public record DecodedImage(MediaFormat format, BufferedImage image, Raster adobeCmyk) {

    public DecodedImage {
        if ((image == null) == (adobeCmyk == null)) {
            throw new IllegalArgumentException("exactly one of image and adobeCmyk");
        }
    }

    public int width() {
        return image != null ? image.getWidth() : adobeCmyk.getWidth();
    }

    public int height() {
        return image != null ? image.getHeight() : adobeCmyk.getHeight();
    }
}
