package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import java.nio.FloatBuffer;

/** Loads an image's stored visual embeddings ({@code [crops, 256, hidden]}) as float32 rows. */
@FunctionalInterface
public interface VisualRowsReader {

    /**
     * @return a buffer of exactly {@code crops × 256 × hidden} floats, position 0
     * @throws PromptException when the blob is missing, of the wrong size or not readable
     */
    FloatBuffer read(VisualEmbeddings visual) throws PromptException;
}
