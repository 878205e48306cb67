package dev.ovis.serve.vision.image;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits and policies of image decoding.
 *
 * @param maxPixels        refuse images whose header declares more pixels than this, before decoding
 *                         (decompression-bomb guard; 100 MP by default: a 12 MP photo fits eight times over).
 *                         Decoding needs at most about 7 bytes per pixel at once (decoder raster + RGB copy).
 * @param maxBytes         refuse encoded files larger than this (read limit on the object store)
 * @param rejectAnimated   refuse animated GIF / PNG / WebP (true) or use their first frame, as Pillow does (false)
 * @param applyOrientation turn images as their EXIF orientation says (the reference does not; see docs/vision.md)
 */
@Validated
@ConfigurationProperties("ovis.vision.image")
public record ImageProperties(@DefaultValue("100000000") @Positive long maxPixels,
                              @DefaultValue("52428800") @Positive long maxBytes,
                              @DefaultValue("true") boolean rejectAnimated,
                              @DefaultValue("true") boolean applyOrientation) {

    /** The defaults, for code that runs without Spring (tests, benchmarks). */
    public static ImageProperties defaults() {
        return new ImageProperties(100_000_000L, 50L * 1024 * 1024, true, true);
    }
}
