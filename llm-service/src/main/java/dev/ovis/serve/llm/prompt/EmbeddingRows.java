package dev.ovis.serve.llm.prompt;

import java.nio.FloatBuffer;

/** A table of embedding rows (the text table or the five indicator rows), read as float32. */
public interface EmbeddingRows {

    /** Row width (the LLM hidden size). */
    int hidden();

    /** Number of rows. */
    int rows();

    /** Writes row {@code row} at the target's position and advances it by {@link #hidden()}. */
    void copyRow(int row, FloatBuffer target);
}
