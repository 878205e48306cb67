package dev.ovis.serve.vision.tokenizer;

/**
 * Turns preprocessed crops into Ovis2 visual embeddings (ovis2.md §3: ViT, 2×2 merge, head,
 * softmax over the visual vocabulary, probabilistic lookup in the visual embedding table).
 * Implementations are thread-safe and may block.
 */
public interface VisualTokenizer {

    /** The row width of the embeddings: the LLM hidden size. */
    int hidden();

    /**
     * Embeds {@code crops} crops.
     *
     * @param pixelValues {@code float32 [crops, 3, 448, 448]}
     * @return {@code float32 [crops, 256, hidden]}
     */
    float[] tokenize(float[] pixelValues, int crops) throws TokenizationException, InterruptedException;
}
