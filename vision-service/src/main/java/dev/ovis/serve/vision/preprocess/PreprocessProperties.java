package dev.ovis.serve.vision.preprocess;

import dev.ovis.serve.common.OvisLimits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Image preprocessing policy of this deployment.
 *
 * @param defaultMaxPartition the Ovis2 {@code max_partition} of an image whose request names none (video
 *                            key frames always use 1). 9 is the reference's default and what the model
 *                            card uses for a single image. Time and prompt length grow with the tiles
 *                            (up to max_partition + 1 crops of 256 positions each), so a CPU deployment,
 *                            where a 1B-shaped crop takes seconds, may serve 4 or fewer; a client that
 *                            names a value still gets it.
 */
@Validated
@ConfigurationProperties("ovis.vision.preprocess")
public record PreprocessProperties(
        @DefaultValue("9") @Min(OvisLimits.MIN_PARTITION) @Max(OvisLimits.MAX_PARTITION) int defaultMaxPartition) {

    /** The reference's default, for code that runs without Spring (tests, benchmarks). */
    public static PreprocessProperties defaults() {
        return new PreprocessProperties(9);
    }
}
