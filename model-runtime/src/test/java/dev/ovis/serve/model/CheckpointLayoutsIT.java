package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.testing.TinyFixture;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A synthetic checkpoint of each published Ovis2 layout (the published tensor names, bf16, three
 * shards with an index, random values at the tiny dims) goes through the exporter's real
 * {@code --checkpoint} command line; the exported graphs, run by ONNX Runtime here, must reproduce
 * the exporter's PyTorch modules loaded from the same files (reference written by
 * tools/exporter/synthetic_checkpoint.py --reference).
 */
class CheckpointLayoutsIT {

    /** fp32 graphs vs fp32 torch on the same bf16-valued weights: only summation order differs. */
    private static final float TOLERANCE = 1e-4f;

    @TempDir
    Path temp;

    @BeforeAll
    static void requirePython() throws Exception {
        ExporterPython.assumeAvailable();
    }

    @ParameterizedTest
    @ValueSource(strings = {"original", "hf"})
    void exportedGraphsReproduceTheTorchModulesLoadedFromTheCheckpoint(String layout) throws Exception {
        // given a synthetic checkpoint and the torch reference computed from it
        Path ckpt = temp.resolve("ckpt");
        Path ref = temp.resolve("reference");
        Path out = temp.resolve("export");
        Path log = temp.resolve("python.log");
        ExporterPython.script(log, "synthetic_checkpoint.py", "--size", "tiny", "--layout", layout, "--dtype", "BF16",
                "--shards", "3", "--seed", "5", "--out", ckpt.toString(), "--reference", ref.toString());
        assertThat(ckpt.resolve("model.safetensors.index.json")).exists();
        // when it is exported through the command line users run
        String printed = ExporterPython.script(log, "ovis2_export.py", "--checkpoint", ckpt.toString(), "--out",
                out.toString());
        // then the directory opens, says where it came from, and takes the text side from the checkpoint
        assertThat(printed).contains(layout + " layout");
        ModelDirectory dir = ModelDirectory.open(out);
        ModelManifest m = dir.manifest();
        assertThat(m.source()).containsEntry("kind", "checkpoint").containsEntry("layout", layout);
        assertThat(m.tokenizer().kind()).isEqualTo("checkpoint");
        assertThat(m.generation().eosTokenIds()).containsExactly(m.specialIds().imEnd(), m.specialIds().endoftext());
        assertThat(m.stopIds()).containsExactlyElementsOf(m.generation().eosTokenIds());
        assertThat(m.chatTemplate().source()).isEqualTo("tokenizer_config.json");
        // and its graphs and tables reproduce the torch modules
        JsonNode reference = JsonMapper.builder().build().readTree(Files.readAllBytes(ref.resolve("reference.json")));
        try (OnnxSessions sessions = OnnxSessions.open(dir, new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 2));
             EmbeddingTable text = dir.openTextEmbeddings();
             EmbeddingTable indicators = dir.openIndicatorEmbeddings()) {
            assertClose("visual_embeds", vision(sessions.vision(), m), floats(ref, reference, "visual_embeds"));
            float[] rows = new float[5 * m.llm().hiddenSize()];
            for (int i = 0; i < 5; i++) {
                indicators.copyRow(i, rows, i * m.llm().hiddenSize());
            }
            assertClose("indicator rows", rows, floats(ref, reference, "indicator_rows"));
            List<Integer> tokens = new ArrayList<>();
            reference.get("tokens").forEach(t -> tokens.add(t.asInt()));
            int[] ids = TinyFixture.ints(reference.get("prompt_ids"));
            int h = m.llm().hiddenSize();
            float[] embeds = new float[ids.length * h];
            for (int i = 0; i < ids.length; i++) {
                text.copyRow(ids[i], embeds, i * h);
            }
            var outcome = GreedyLoop.run(sessions.decoder(), m, text, embeds, tokens.size(), tokens);
            float[] expected = floats(ref, reference, "step_logits");
            int v = m.llm().vocabSize();
            assertThat(outcome.stepLogits()).hasSize(tokens.size());
            for (int s = 0; s < tokens.size(); s++) {
                float[] step = new float[v];
                System.arraycopy(expected, s * v, step, 0, v);
                assertClose("logits of step " + s, outcome.stepLogits().get(s), step);
            }
        }
    }

    private static float[] vision(OrtSession session, ModelManifest m) throws Exception {
        int n = 2;
        int side = m.vision().imageSize();
        float[] pixels = FormulaPixels.of(n, side);
        var env = OrtEnvironment.getEnvironment();
        try (OnnxTensor px = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), new long[] {n, 3, side, side});
             OrtSession.Result r = session.run(Map.of("pixel_values", px))) {
            OnnxTensor out = (OnnxTensor) r.get("visual_embeds").orElseThrow();
            float[] actual = new float[(int) (n * (long) m.vision().tokensPerCrop() * m.llm().hiddenSize())];
            out.getFloatBuffer().get(actual);
            return actual;
        }
    }

    private static float[] floats(Path ref, JsonNode reference, String key) throws Exception {
        return TinyFixture.readFloats(ref.resolve(reference.get(key).get("file").asString()));
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        float worst = 0;
        float scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertThat(scale).as("%s: reference is not all zeros", what).isGreaterThan(0f);
        assertThat(worst).as("%s: max abs difference (values up to %s)", what, scale).isLessThanOrEqualTo(TOLERANCE * Math.max(1f, scale));
    }
}
