package dev.ovis.serve.ocr.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CtcDecoderTests {

    private final CharDictionary dictionary = CharDictionary.parse("a\nb\n".getBytes(StandardCharsets.UTF_8));

    @Test
    void theDictionaryHasBlankFirstAndASpaceLast() {
        assertThat(dictionary.size()).isEqualTo(4);
        assertThat(dictionary.symbol(0)).isEmpty();
        assertThat(dictionary.symbol(1)).isEqualTo("a");
        assertThat(dictionary.symbol(3)).isEqualTo(" ");
    }

    @Test
    void collapsesRepeatsDropsBlanksAndKeepsSpaces() {
        // steps: a a blank a space b b
        float[] probs = steps(new int[] {1, 1, 0, 1, 3, 2, 2}, 0.9f);

        Recognition r = new CtcDecoder(dictionary).decode(probs, 0, 7, 4);

        assertThat(r.text()).isEqualTo("aa b");
        assertThat(r.confidence()).isCloseTo(0.9, within(1e-6));
    }

    @Test
    void aModelWhoseClassesDoNotMatchTheDictionaryIsRefused() {
        assertThatThrownBy(() -> new CtcDecoder(dictionary).decode(new float[10], 0, 2, 5))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("blank + symbols + space");
    }

    private static float[] steps(int[] best, float p) {
        float[] probs = new float[best.length * 4];
        for (int t = 0; t < best.length; t++) {
            for (int c = 0; c < 4; c++) {
                probs[t * 4 + c] = c == best[t] ? p : (1 - p) / 3;
            }
        }
        return probs;
    }
}
