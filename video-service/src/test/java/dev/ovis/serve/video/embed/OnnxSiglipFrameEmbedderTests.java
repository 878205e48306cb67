package dev.ovis.serve.video.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.video.decode.RgbFrame;
import dev.ovis.serve.video.keyframe.Mdp3KeyframeSelector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ONNX encoder-pair plumbing on a tiny SigLIP-shaped pair (src/test/resources/tiny-siglip,
 * made by its make_tiny_siglip.py): same graph names and shapes as a real export.
 */
class OnnxSiglipFrameEmbedderTests {

    private static final Path TINY = Path.of("src/test/resources/tiny-siglip");

    static SiglipProperties tiny() {
        return new SiglipProperties(TINY.resolve("image.onnx"), TINY.resolve("text.onnx"), TINY.resolve("tokenizer.json"),
                32, 0.5f, 0.5f, 64, 1, 4);
    }

    @Test
    void theQuestionSteersSelectionTowardsMatchingFrames() throws Exception {
        List<RgbFrame> frames = new ArrayList<>();
        for (int[] colour : new int[][] {{0, 0, 255}, {0, 0, 255}, {0, 0, 255}, {255, 0, 0}, {255, 0, 0},
                {0, 255, 0}, {0, 255, 0}}) {
            frames.add(solid(colour, frames.size()));
        }
        try (OnnxSiglipFrameEmbedder embedder = new OnnxSiglipFrameEmbedder(tiny())) {
            double[][] vectors = embedder.embedFrames(frames);
            Mdp3KeyframeSelector selector = new Mdp3KeyframeSelector();

            assertThat(embedder.name()).isEqualTo("siglip");
            assertThat(vectors).hasNumberOfRows(7);
            assertThat(selector.select(vectors, embedder.embedQuery("What is the RED car"), 1, -1)).containsExactly(3);
            assertThat(selector.select(vectors, embedder.embedQuery("green"), 1, -1)).containsExactly(5);
            assertThat(embedder.embedQuery("  ")).isNull();
        }
    }

    @Test
    void refusesAnIncompleteConfigurationNamingWhatIsMissing() {
        SiglipProperties noText = new SiglipProperties(TINY.resolve("image.onnx"), null, TINY.resolve("tokenizer.json"),
                32, 0.5f, 0.5f, 64, 1, 4);

        assertThatThrownBy(() -> new OnnxSiglipFrameEmbedder(noText)).isInstanceOf(IOException.class)
                .hasMessageContaining("image-model, text-model and tokenizer");
    }

    @Test
    void useAfterCloseThrows() throws Exception {
        OnnxSiglipFrameEmbedder embedder = new OnnxSiglipFrameEmbedder(tiny());
        embedder.close();
        embedder.close();

        assertThatThrownBy(() -> embedder.embedQuery("red")).isInstanceOf(IllegalStateException.class);
    }

    private static RgbFrame solid(int[] colour, int index) {
        byte[] rgb = new byte[20 * 12 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) colour[0];
            rgb[i + 1] = (byte) colour[1];
            rgb[i + 2] = (byte) colour[2];
        }
        return new RgbFrame(index, 20, 12, rgb);
    }
}
