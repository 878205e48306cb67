package dev.ovis.serve.llm.decode;

/** Turns token ids into text; implemented by the model's tokenizer. */
public interface TokenText {

    /** Decodes {@code ids[from, to)} with special tokens skipped; an unfinished UTF-8 character shows as U+FFFD. */
    String decode(int[] ids, int from, int to);
}
