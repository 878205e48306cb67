package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.testing.TinyFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python exporter with Debian's python3 (python3-torch, -onnx, -numpy, -pil; installed by
 * tools/setup-machine.sh) and checks that it regenerates the committed tiny fixture — weights, graphs,
 * tokenizer, ids and token sequences exactly, computed floats within a tolerance that holds across CPUs
 * ({@link FixtureComparison}) — and that the exporter's own Python tests pass. Skipped, saying why, only where those packages are missing.
 */
class FixtureRegenerationIT {

    private static final Path PYTHON = ExporterPython.PYTHON;
    private static final Path EXPORTER = ExporterPython.EXPORTER;

    @TempDir
    Path temp;

    @BeforeAll
    static void requirePython() throws Exception {
        ExporterPython.assumeAvailable();
    }

    @Test
    void regenerationReproducesTheCommittedFixture() throws Exception {
        // when the fixture is made again, with PyTorch's most portable kernels (ATEN_CPU_CAPABILITY=default):
        // not the ones of the machine that made the committed fixture, whatever machine this is
        Path out = temp.resolve("tiny-ovis2");
        ExporterPython.run(temp.resolve("python.log"),
                List.of(PYTHON.toString(), EXPORTER.resolve("make_fixture.py").toString(), "--out", out.toString()),
                Map.of("ATEN_CPU_CAPABILITY", "default"));
        // then every committed file is reproduced (computed floats within tolerance), and nothing else appears
        assertThat(FixtureComparison.differences(TinyFixture.DIR, out)).isEmpty();
    }

    @Test
    void exporterPythonTestsPass() throws Exception {
        run(List.of(PYTHON.toString(), "-m", "unittest", "discover", "-s", EXPORTER.resolve("tests").toString(), "-t",
                EXPORTER.toString(), "-v"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"fp16, 0.05, 0.9999", "int8, 1.0, 0.995", "int4, 12.0, 0.8"})
    void precisionRewritesLoadAndStayCloseToFp32(String precision, float maxAbs, double minCosine) throws Exception {
        // given the tiny fixture converted by the exporter
        Path out = temp.resolve("tiny-" + precision);
        run(List.of(PYTHON.toString(), EXPORTER.resolve("ovis2_export.py").toString(), "--from-fp32",
                TinyFixture.DIR.toString(), "--precision", precision, "--out", out.toString()));
        ModelDirectory dir = ModelDirectory.open(out);
        assertThat(dir.manifest().precision()).isEqualTo(precision);
        // when the text-only reference prompt is prefilled
        var prompt = TinyFixture.prompt(TinyFixture.reference(), "text_only");
        float[] expected = TinyFixture.floats(prompt.get("first_step_logits"));
        float[] actual;
        try (OnnxSessions s = OnnxSessions.open(dir, new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 2));
             EmbeddingTable text = dir.openTextEmbeddings()) {
            int h = dir.manifest().llm().hiddenSize();
            int[] ids = TinyFixture.ints(prompt.get("prompt_ids"));
            float[] embeds = new float[ids.length * h];
            for (int i = 0; i < ids.length; i++) {
                text.copyRow(ids[i], embeds, i * h);
            }
            actual = GreedyLoop.run(s.decoder(), dir.manifest(), text, embeds, 1).firstLogits();
        }
        // then the logits move by a bounded amount from the fp32 reference
        double dot = 0;
        double na = 0;
        double nb = 0;
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            dot += (double) actual[i] * expected[i];
            na += (double) actual[i] * actual[i];
            nb += (double) expected[i] * expected[i];
        }
        assertThat(worst).isLessThan(maxAbs);
        assertThat(dot / Math.sqrt(na * nb)).isGreaterThan(minCosine);
    }

    private void run(List<String> command) throws Exception {
        ExporterPython.run(temp.resolve("python.log"), command);
    }
}
