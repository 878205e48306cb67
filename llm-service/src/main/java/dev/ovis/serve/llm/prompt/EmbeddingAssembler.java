package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.layout.ImageLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Builds the merged input embeddings of a prompt (ovis2.md §4): a text id becomes its row of the
 * text table, indicator {@code -301…-305} becomes indicator row {@code 0…4}, and each atom becomes
 * the 256 visual rows of the next crop (crops counted across all images in prompt order).
 */
public final class EmbeddingAssembler {

    private final EmbeddingRows text;
    private final EmbeddingRows indicators;
    private final VisualRowsReader visual;

    public EmbeddingAssembler(EmbeddingRows text, EmbeddingRows indicators, VisualRowsReader visual) {
        if (text.hidden() != indicators.hidden()) {
            throw new IllegalArgumentException("text and indicator rows differ in width");
        }
        this.text = text;
        this.indicators = indicators;
        this.visual = visual;
    }

    /** Row width. */
    public int hidden() {
        return text.hidden();
    }

    /**
     * @return a direct, native-order buffer of {@code positions × hidden} floats, ready to wrap as the
     * decoder's {@code inputs_embeds}
     */
    public FloatBuffer assemble(Prompt prompt) throws PromptException {
        int hidden = text.hidden();
        int cropFloats = ImageLayout.TOKENS_PER_CROP * hidden;
        FloatBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(prompt.positions() * hidden, Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        int image = -1;
        int cropInImage = 0;
        FloatBuffer imageRows = null;
        for (int id : prompt.ids()) {
            if (id >= 0) {
                if (id >= text.rows()) {
                    throw new IllegalStateException("token id " + id + " beyond the text table (" + text.rows() + " rows)");
                }
                text.copyRow(id, out);
            } else if (id == ImageLayout.ATOM) {
                if (imageRows == null || cropInImage == prompt.images().get(image).layout().crops()) {
                    image++;
                    VisualEmbeddings embeddings = prompt.images().get(image);
                    imageRows = visual.read(embeddings);
                    if (imageRows.remaining() != embeddings.layout().crops() * cropFloats) {
                        throw new IllegalStateException("visual rows of image " + (image + 1) + " have the wrong size");
                    }
                    cropInImage = 0;
                }
                out.put(imageRows.slice(cropInImage * cropFloats, cropFloats));
                cropInImage++;
            } else {
                indicators.copyRow(ImageLayout.indicatorIndex(id), out);
            }
        }
        if (out.hasRemaining()) {
            throw new IllegalStateException("assembled " + out.position() / hidden + " rows, expected " + prompt.positions());
        }
        return out.flip();
    }
}
