package dev.ovis.serve.llm.decode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A token table for tests: each id stands for some bytes, as byte-level BPE tokens do. */
final class ByteTokens implements TokenText {

    private final List<byte[]> tokens;

    ByteTokens(List<byte[]> tokens) {
        this.tokens = tokens;
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            out.writeBytes(tokens.get(ids[i]));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
