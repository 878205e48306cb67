package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.layout.ImageLayout;
import java.util.List;

/**
 * A tokenized prompt with its images expanded into placeholders (ovis2.md §2.6): text ids
 * ({@code >= 0}), indicator ids ({@code -301…-305}) and one {@link ImageLayout#ATOM} per crop, which
 * stands for 256 LLM positions.
 *
 * @param ids        the expanded id sequence
 * @param images     the images in prompt order (their crops fill the atoms in this order)
 * @param positions  LLM positions of the prompt: text tokens + indicators + 256 per crop
 * @param textTokens how many of the positions are text tokens
 */
public record Prompt(int[] ids, List<VisualEmbeddings> images, int positions, int textTokens) {

    public Prompt {
        images = List.copyOf(images);
    }

    /** Positions taken by images (indicators and visual rows). */
    public int visualPositions() {
        return positions - textTokens;
    }

    /** Crops over all images, i.e. the number of atoms. */
    public int crops() {
        return images.stream().mapToInt(v -> v.layout().crops()).sum();
    }
}
