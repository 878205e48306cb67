package dev.ovis.serve.vision.preprocess;

import dev.ovis.serve.common.layout.ImageLayout;
import java.util.Objects;

/**
 * One image ready for the vision model: its grid and the normalised crops, global view first when
 * the grid has more than one tile.
 *
 * @param layout      the grid (and through it the placeholder sequence and LLM positions)
 * @param pixelValues {@code float32 [crops, 3, 448, 448]}, C order
 */
public record PreprocessedImage(ImageLayout layout, float[] pixelValues) {

    /** Floats in one crop: 3 × 448 × 448. */
    public static final int CROP_FLOATS = 3 * GridPartition.SIDE * GridPartition.SIDE;

    public PreprocessedImage {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(pixelValues, "pixelValues");
        if (pixelValues.length != layout.crops() * CROP_FLOATS) {
            throw new IllegalArgumentException("expected " + layout.crops() + " crops, got " + pixelValues.length + " floats");
        }
    }

    public int crops() {
        return layout.crops();
    }
}
