package dev.ovis.serve.llm.prompt;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The model's {@code tokenizer.json} through the Hugging Face tokenizers library (DJL binding):
 * no truncation, no padding, no added BOS/EOS, special tokens such as {@code <|im_start|>}
 * matched as atomic added tokens — exactly how the reference tokenizes each chunk of a prompt.
 * Thread-safe; owns a native tokenizer, so close it.
 */
public final class PromptTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PromptTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizer.json}. */
    public static PromptTokenizer open(Path tokenizerJson) throws IOException {
        return new PromptTokenizer(HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build());
    }

    /** Token ids of a text run. */
    public int[] encode(String text) {
        checkOpen();
        if (text.isEmpty()) {
            return new int[0];
        }
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The text of some token ids, special tokens skipped (may end in U+FFFD mid-character). */
    public String decode(int[] ids, int from, int to) {
        checkOpen();
        long[] window = new long[to - from];
        for (int i = from; i < to; i++) {
            window[i - from] = ids[i];
        }
        return tokenizer.decode(window, true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("tokenizer is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tokenizer.close();
        }
    }
}
