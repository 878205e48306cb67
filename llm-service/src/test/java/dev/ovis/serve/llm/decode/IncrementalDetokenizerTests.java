package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalDetokenizerTests {

    @Test
    void holdsBackBytesOfAnUnfinishedCharacterUntilItIsComplete() {
        // given "é" (C3 A9) and "😀" (F0 9F 98 80) split over single-byte tokens
        byte[] text = "a é😀!".getBytes(StandardCharsets.UTF_8);
        List<byte[]> tokens = new java.util.ArrayList<>();
        for (byte b : text) {
            tokens.add(new byte[]{b});
        }
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(new ByteTokens(tokens));

        // when
        StringBuilder pieces = new StringBuilder();
        List<String> emitted = new java.util.ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            String piece = detokenizer.add(id);
            emitted.add(piece);
            pieces.append(piece);
        }
        pieces.append(detokenizer.flush());

        // then every piece is whole characters and together they are the text
        assertThat(emitted).noneMatch(p -> p.contains("\uFFFD"));
        assertThat(pieces.toString()).isEqualTo("a é😀!");
        assertThat(emitted.get(2)).isEmpty();
        assertThat(emitted.get(3)).isEqualTo("é");
        assertThat(emitted.subList(4, 7)).containsOnly("");
        assertThat(emitted.get(7)).isEqualTo("😀");
    }

    @Test
    void multiByteTokensDecodeAsTheyCome() {
        // given tokens that are whole words
        List<byte[]> tokens = Arrays.asList("Hello".getBytes(), ", ".getBytes(), "wörld".getBytes(StandardCharsets.UTF_8));
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(new ByteTokens(tokens));

        // when / then
        assertThat(detokenizer.add(0)).isEqualTo("Hello");
        assertThat(detokenizer.add(1)).isEqualTo(", ");
        assertThat(detokenizer.add(2)).isEqualTo("wörld");
        assertThat(detokenizer.flush()).isEmpty();
    }

    @Test
    void anUnfinishedCharacterAtTheEndIsFlushedAsReplacement() {
        // given a sequence that ends in the middle of "é"
        List<byte[]> tokens = List.of("x".getBytes(), new byte[]{(byte) 0xC3});
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(new ByteTokens(tokens));

        // when
        String first = detokenizer.add(0) + detokenizer.add(1);

        // then
        assertThat(first).isEqualTo("x");
        assertThat(detokenizer.flush()).isEqualTo("\uFFFD");
    }
}
