package dev.ovis.serve.llm.stage;

import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.llm.prompt.PromptException;
import dev.ovis.serve.llm.prompt.VisualRowsReader;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Reads the visual embeddings the vision stage stored (docs/formats.md: little-endian
 * {@code [crops, 256, hidden]} float16 or float32) and widens them to float32.
 */
final class StoredVisualRows implements VisualRowsReader {

    private final ObjectStore store;

    StoredVisualRows(ObjectStore store) {
        this.store = store;
    }

    @Override
    public FloatBuffer read(VisualEmbeddings visual) throws PromptException {
        int elementBytes = "float16".equals(visual.dtype()) ? 2 : 4;
        long floats = (long) visual.layout().crops() * ImageLayout.TOKENS_PER_CROP * visual.hidden();
        long expected = floats * elementBytes;
        byte[] bytes;
        try {
            bytes = store.readAll(visual.tensor(), expected);
        } catch (ObjectStoreException e) {
            ErrorCode code = e.code() == ErrorCode.UNAVAILABLE ? ErrorCode.UNAVAILABLE : ErrorCode.INVALID_CONTENT_PART;
            throw new PromptException(code, "visual embeddings " + visual.tensor().key() + ": " + e.getMessage());
        }
        if (bytes.length != expected) {
            throw new PromptException(ErrorCode.INVALID_CONTENT_PART, "visual embeddings " + visual.tensor().key() + " hold "
                    + bytes.length + " bytes, expected " + expected + " for " + visual.layout().crops() + " crop(s) of 256 × "
                    + visual.hidden() + " " + visual.dtype());
        }
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(floats * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        if (elementBytes == 4) {
            out.put(data.asFloatBuffer());
        } else {
            ShortBuffer halves = data.asShortBuffer();
            while (halves.hasRemaining()) {
                out.put(Float.float16ToFloat(halves.get()));
            }
        }
        return out.flip();
    }
}
