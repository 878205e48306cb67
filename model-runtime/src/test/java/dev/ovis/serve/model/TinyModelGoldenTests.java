package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ovis.serve.testing.TinyFixture;
import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The tiny ONNX graphs, run through ONNX Runtime, reproduce the PyTorch references. */
class TinyModelGoldenTests {

    private static final float TOLERANCE = 1e-4f;

    private static ModelDirectory dir;
    private static OnnxSessions sessions;
    private static EmbeddingTable text;
    private static EmbeddingTable indicators;
    private static JsonNode reference;

    @BeforeAll
    static void open() throws Exception {
        dir = ModelDirectory.open(TinyFixture.DIR);
        sessions = OnnxSessions.open(dir, new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.AUTO, 0, 2));
        text = dir.openTextEmbeddings();
        indicators = dir.openIndicatorEmbeddings();
        reference = TinyFixture.reference();
    }

    @AfterAll
    static void close() throws Exception {
        text.close();
        indicators.close();
        sessions.close();
    }

    @Test
    void visionGraphMatchesTorchOnTheFormulaInput() throws Exception {
        // given the formula-defined pixels of reference.json "vision_check"
        int n = 2;
        int side = dir.manifest().vision().imageSize();
        float[] pixels = FormulaPixels.of(n, side);
        float[] expected = TinyFixture.readFloats(TinyFixture.REFERENCE.resolve("vision_check.visual_embeds.f32.bin"));
        // when
        float[] actual;
        var env = OrtEnvironment.getEnvironment();
        try (OnnxTensor px = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), new long[] {n, 3, side, side});
             OrtSession.Result r = sessions.vision().run(Map.of("pixel_values", px))) {
            OnnxTensor out = (OnnxTensor) r.get("visual_embeds").orElseThrow();
            assertThat(out.getInfo().getShape()).containsExactly(n, 256, dir.manifest().llm().hiddenSize());
            actual = new float[expected.length];
            out.getFloatBuffer().get(actual);
        }
        // then
        assertClose(actual, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text_only", "one_image", "three_images"})
    void greedyDecodeWithKvCacheMatchesTorch(String name) throws Exception {
        // given the reference prompt laid out as embeddings (visual rows from the PyTorch vision output)
        JsonNode prompt = TinyFixture.prompt(reference, name);
        float[] embeds = layout(prompt);
        JsonNode greedy = prompt.get("greedy");
        // when
        GreedyLoop.Outcome out = GreedyLoop.run(sessions.decoder(), dir.manifest(), text, embeds,
                greedy.get("max_new_tokens").asInt());
        // then
        assertClose(out.firstLogits(), TinyFixture.floats(prompt.get("first_step_logits")));
        assertThat(out.tokens()).containsExactly(java.util.Arrays.stream(TinyFixture.ints(greedy.get("tokens")))
                .boxed().toArray(Integer[]::new));
    }

    private float[] layout(JsonNode prompt) throws Exception {
        int h = dir.manifest().llm().hiddenSize();
        int length = prompt.get("sequence_length").asInt();
        float[] embeds = new float[length * h];
        float[] visual = prompt.has("visual_embeds")
                ? TinyFixture.readFloats(TinyFixture.REFERENCE.resolve(prompt.get("visual_embeds").get("file").asString()))
                : new float[0];
        for (JsonNode seg : prompt.get("layout")) {
            int start = seg.get("start").asInt();
            switch (seg.get("kind").asString()) {
                case "text" -> {
                    int[] ids = TinyFixture.ints(seg.get("ids"));
                    for (int k = 0; k < ids.length; k++) {
                        text.copyRow(ids[k], embeds, (start + k) * h);
                    }
                }
                case "indicator" -> indicators.copyRow(seg.get("row").asInt(), embeds, start * h);
                case "visual" -> System.arraycopy(visual, seg.get("crop").asInt() * 256 * h, embeds, start * h, 256 * h);
                default -> throw new IllegalStateException("unknown layout kind " + seg);
            }
        }
        return embeds;
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("max abs difference").isCloseTo(0f, within(TOLERANCE));
    }
}
