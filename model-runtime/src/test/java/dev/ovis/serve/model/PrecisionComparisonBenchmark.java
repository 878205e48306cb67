package dev.ovis.serve.model;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How far fp16 / int8 / int4 exports move outputs from the fp32 export of the same random model. Prints a
 * table; asserts nothing (figures go to docs/benchmarks.md). Run:
 * <pre>
 * ./mvnw -B -q -pl model-runtime -am test -Dtest=PrecisionComparisonBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dovis.bench.models=../models/random-1b-fp32,../models/random-1b-fp16,../models/random-1b-int8,../models/random-1b-int4
 * </pre>
 * ({@code -Dovis.bench.prompts} and {@code -Dovis.bench.steps} shrink the run on slow machines.)
 * Decoder: 3 prompts of 32 random token ids, then 32 steps teacher-forced with the fp32 greedy tokens: max abs
 * logit difference, minimum cosine, top-1 agreement per step, and the free-running greedy prefix that agrees.
 * Vision: one formula crop, max abs difference and minimum per-token cosine of the visual embeddings.
 */
@EnabledIfSystemProperty(named = "ovis.bench.models", matches = ".+")
class PrecisionComparisonBenchmark {

    private static final int PROMPTS = Integer.getInteger("ovis.bench.prompts", 3);
    private static final int PROMPT_LENGTH = 32;
    private static final int STEPS = Integer.getInteger("ovis.bench.steps", 32);

    @Test
    void compareWithFp32() throws Exception {
        String[] dirs = System.getProperty("ovis.bench.models").split(",");
        int threads = Integer.getInteger("ovis.bench.threads", 2);
        var options = new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.AUTO, 0, threads);
        Run reference = measure(Path.of(dirs[0]), options, null);
        System.out.printf("%-34s %-6s %14s %12s %10s %14s %14s %12s%n", "model", "prec", "logits max|d|", "min cos",
                "top1 agree", "greedy prefix", "vision max|d|", "vision cos");
        print(dirs[0], reference, reference);
        for (int i = 1; i < dirs.length; i++) {
            print(dirs[i], measure(Path.of(dirs[i]), options, reference), reference);
        }
    }

    private record Run(String precision, List<List<float[]>> forcedLogits, List<List<Integer>> greedy, float[] vision) {
    }

    private Run measure(Path dirPath, OnnxRuntimeOptions options, Run reference) throws Exception {
        ModelDirectory dir = ModelDirectory.open(dirPath, ModelDirectory.Verification.SIZES);
        ModelManifest m = dir.manifest();
        List<List<float[]>> forced = new ArrayList<>();
        List<List<Integer>> greedy = new ArrayList<>();
        float[] vision;
        try (OnnxSessions s = OnnxSessions.open(dir, options); EmbeddingTable text = dir.openTextEmbeddings()) {
            SplittableRandom random = new SplittableRandom(7);
            for (int p = 0; p < PROMPTS; p++) {
                float[] prompt = new float[PROMPT_LENGTH * m.llm().hiddenSize()];
                for (int t = 0; t < PROMPT_LENGTH; t++) {
                    text.copyRow(random.nextInt(m.specialIds().endoftext()), prompt, t * m.llm().hiddenSize());
                }
                var free = GreedyLoop.run(s.decoder(), m, text, prompt, STEPS, null);
                greedy.add(free.tokens());
                List<Integer> teacher = reference == null ? free.tokens() : reference.greedy().get(p);
                forced.add(GreedyLoop.run(s.decoder(), m, text, prompt, teacher.size(), teacher).stepLogits());
            }
            vision = visionOnce(s.vision(), m);
        }
        return new Run(m.precision(), forced, greedy, vision);
    }

    private static float[] visionOnce(OrtSession vision, ModelManifest m) throws Exception {
        int side = m.vision().imageSize();
        float[] px = new float[3 * side * side];
        int i = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    px[i++] = (float) (2 * Math.sin(0.013 * (x + 1) * (c + 1) + 0.021 * y));
                }
            }
        }
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(px),
                new long[] {1, 3, side, side}); OrtSession.Result r = vision.run(Map.of("pixel_values", t))) {
            FloatBuffer out = ((OnnxTensor) r.get("visual_embeds").orElseThrow()).getFloatBuffer();
            float[] v = new float[out.remaining()];
            out.get(v);
            return v;
        }
    }

    private static void print(String name, Run run, Run ref) {
        double maxAbs = 0;
        double minCos = 1;
        int agree = 0;
        int total = 0;
        int prefix = 0;
        for (int p = 0; p < PROMPTS; p++) {
            List<float[]> a = run.forcedLogits().get(p);
            List<float[]> b = ref.forcedLogits().get(p);
            for (int s = 0; s < Math.min(a.size(), b.size()); s++) {
                maxAbs = Math.max(maxAbs, maxAbs(a.get(s), b.get(s)));
                minCos = Math.min(minCos, cosine(a.get(s), b.get(s), 0, a.get(s).length));
                agree += GreedyLoop.argmax(a.get(s)) == GreedyLoop.argmax(b.get(s)) ? 1 : 0;
                total++;
            }
            List<Integer> g = run.greedy().get(p);
            List<Integer> rg = ref.greedy().get(p);
            int k = 0;
            while (k < Math.min(g.size(), rg.size()) && g.get(k).equals(rg.get(k))) {
                k++;
            }
            prefix += k;
        }
        int h = run.vision().length / 256;
        double visionCos = 1;
        for (int t = 0; t < 256; t++) {
            visionCos = Math.min(visionCos, cosine(run.vision(), ref.vision(), t * h, h));
        }
        System.out.printf("%-34s %-6s %14.5f %12.6f %9.1f%% %8d/%-5d %14.6f %12.6f%n",
                Path.of(name).getFileName(), run.precision(), maxAbs, minCos, 100.0 * agree / total, prefix,
                PROMPTS * STEPS, maxAbs(run.vision(), ref.vision()), visionCos);
    }

    private static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double cosine(float[] a, float[] b, int from, int n) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = from; i < from + n; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
