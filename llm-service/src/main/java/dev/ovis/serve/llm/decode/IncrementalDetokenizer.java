package dev.ovis.serve.llm.decode;

import java.util.Arrays;

/**
 * Decodes a growing token sequence into text pieces that are always whole characters. Byte-level
 * BPE tokens can end in the middle of a multi-byte UTF-8 character; the tokenizer then shows
 * U+FFFD, so a piece ending in U+FFFD is held back until the next token completes it. Each call
 * decodes only a short window (from the last emitted token on), so the cost per token stays flat.
 */
final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final TokenText text;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;

    IncrementalDetokenizer(TokenText text) {
        this.text = text;
    }

    /** Adds a token and returns the new complete text (possibly empty). */
    String add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = text.decode(ids, prefixOffset, readOffset);
        String full = text.decode(ids, prefixOffset, size);
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT && full.startsWith(prefix)) {
            prefixOffset = readOffset;
            readOffset = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** At the end: whatever is still held back (an unfinished character stays U+FFFD). */
    String flush() {
        String prefix = text.decode(ids, prefixOffset, readOffset);
        String full = text.decode(ids, prefixOffset, size);
        readOffset = size;
        prefixOffset = size;
        return full.length() > prefix.length() && full.startsWith(prefix) ? full.substring(prefix.length()) : "";
    }
}
