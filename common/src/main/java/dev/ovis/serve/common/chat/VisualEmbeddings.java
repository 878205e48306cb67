package dev.ovis.serve.common.chat;

import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import java.util.Objects;

/**
 * Where the vision stage stored an image's visual embeddings, and the placeholder layout they fill.
 *
 * <p>The blob layout (documented in {@code docs/formats.md}): a little-endian tensor of shape
 * {@code [crops, 256, hidden]} in {@code dtype} ({@code float16} or {@code float32}), crops in
 * {@link ImageLayout} order (global view first when the grid has more than one tile).
 *
 * @param tensor  the stored tensor
 * @param modelId the model that produced it (embeddings are only valid for that model)
 * @param layout  the grid the image was partitioned into
 * @param hidden  the LLM hidden size (row width)
 * @param dtype   {@code float16} or {@code float32}
 */
public record VisualEmbeddings(MediaRef tensor, String modelId, ImageLayout layout, int hidden, String dtype) {

    public VisualEmbeddings {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(layout, "layout");
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("modelId must not be blank");
        }
        if (hidden <= 0) {
            throw new IllegalArgumentException("hidden must be > 0");
        }
        if (!"float16".equals(dtype) && !"float32".equals(dtype)) {
            throw new IllegalArgumentException("dtype must be float16 or float32: " + dtype);
        }
    }
}
