package dev.ovis.serve.vision.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a vision pass spends its time (docs/benchmarks.md, "Vision int8 vs fp32"): one crop through the
 * directory's vision graph with ONNX Runtime's profiler on, kernel time summed per operator type.
 * Run: {@code vision-service/bench.sh profile MODEL_DIR}. The session is built here, not by
 * {@code OnnxSessionFactory}, because profiling is a session option the suite never sets; it copies the
 * factory's CPU options (all graph optimisations, ORT's default thread count).
 */
final class VisionProfile {

    private VisionProfile() {
    }

    static void run(Path modelDir) throws Exception {
        ModelDirectory dir = ModelDirectory.open(modelDir, ModelDirectory.Verification.SIZES);
        float[] px = new float[PreprocessedImage.CROP_FLOATS];
        Random random = new Random(1);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) random.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path prefix = Files.createTempDirectory("ort-profile").resolve("vision");
        String file;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.enableProfiling(prefix.toString());
            try (OrtSession session = env.createSession(dir.visionGraph().toString(), so);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(px), new long[] {1, 3, 448, 448})) {
                for (int i = 0; i < 2; i++) {
                    try (OrtSession.Result r = session.run(Map.of("pixel_values", input))) {
                        r.get(0);
                    }
                }
                file = session.endProfiling();
            }
        }
        // Chrome-trace events: "Node" events named <node>_kernel_time carry the operator type in args.op_name.
        JsonNode events = JsonMapper.builder().build().readTree(Files.readAllBytes(Path.of(file)));
        Map<String, long[]> byOp = new TreeMap<>();
        long total = 0;
        for (JsonNode e : events) {
            if (!"Node".equals(e.path("cat").asString()) || !e.path("name").asString().endsWith("_kernel_time")) {
                continue;
            }
            String op = e.path("args").path("op_name").asString();
            long dur = e.path("dur").asLong();
            long[] acc = byOp.computeIfAbsent(op, k -> new long[2]);
            acc[0] += dur;
            acc[1]++;
            total += dur;
        }
        System.out.printf(Locale.ROOT, "vision profile of %s (%s), 2 runs of 1 crop, load average %.2f: kernel time %.2f s%n",
                modelDir, dir.manifest().visionGraph().precision(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), total / 1e6);
        long all = total;
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(12)
                .forEach(en -> System.out.printf(Locale.ROOT, "  %-24s %8.2f s %5.1f %%  (%d kernel runs)%n", en.getKey(),
                        en.getValue()[0] / 1e6, 100.0 * en.getValue()[0] / all, en.getValue()[1]));
        Files.deleteIfExists(Path.of(file));
    }
}
