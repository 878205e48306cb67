package dev.ovis.serve.vision.image;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits and policies of image decoding.
 *
 * @param maxPixels        refuse images whose header declares more pixels than this, before decoding
 *                         (decompression-bomb guard; 100 MP by default: a 12 MP photo fits eight times over).
 *                         Decoding needs about 6–8 bytes per pixel at once (the decoder raster and the RGB copy,
 *                         or while an EXIF orientation turns it, the raster twice).
 * @param maxBytes         refuse encoded files larger than this (read limit on the object store)
 * @param maxDecodedBytes  refuse images whose decoded raster (width × height × bits of all bands, from the
 *                         header) would take more than this: 768 MiB by default, a 100 MP RGB image at 8 bits
 *                         fits, a 100 MP float32 RGBA TIFF (1.6 GB) does not
 * @param rejectAnimated   refuse animated GIF / PNG / WebP (true) or use their first frame, as Pillow does (false)
 * @param applyOrientation turn images as their EXIF orientation says (the reference does not; see docs/vision.md)
 */
@Validated
@ConfigurationProperties("ovis.vision.image")
public record ImageProperties(@DefaultValue("100000000") @Positive long maxPixels,
                              @DefaultValue("52428800") @Positive long maxBytes,
                              @DefaultValue("true") boolean rejectAnimated,
                              @DefaultValue("true") boolean applyOrientation,
                              @DefaultValue("805306368") @Positive long maxDecodedBytes) {

    /** Bound from configuration (the record has a second constructor). */
    @ConstructorBinding
    public ImageProperties {
    }

    /** The default decoded-bytes limit, 768 MiB. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 768L << 20;

    /** With the default decoded-bytes limit. */
    public ImageProperties(long maxPixels, long maxBytes, boolean rejectAnimated, boolean applyOrientation) {
        this(maxPixels, maxBytes, rejectAnimated, applyOrientation, DEFAULT_MAX_DECODED_BYTES);
    }

    /** The defaults, for code that runs without Spring (tests, benchmarks). */
    public static ImageProperties defaults() {
        return new ImageProperties(100_000_000L, 50L * 1024 * 1024, true, true);
    }
}
