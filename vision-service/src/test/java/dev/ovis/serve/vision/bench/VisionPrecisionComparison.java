package dev.ovis.serve.vision.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.model.EmbeddingTable;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.ModelManifest;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import dev.ovis.serve.vision.tokenizer.OnnxVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.VisionModel;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Two vision graphs of one model side by side (docs/benchmarks.md, "Vision int8 vs fp32"), in one JVM:
 * <ol>
 * <li>accuracy: the fixture images ({@code fixtures/tiny-ovis2/reference/images}) decoded and preprocessed as the
 * service does (max_partition 9), through both graphs; cosine of every visual token's embedding (min / mean);</li>
 * <li>greedy agreement: for each image, an image-chat-shaped prompt (im_start, the image-start indicator, the 256
 * rows of its first crop, the image-end indicator, im_end, im_start) through the reference directory's decoder
 * with each graph's embeddings, greedy: how many leading tokens agree;</li>
 * <li>speed: seconds per crop, one crop per run, the two graphs alternating (ABBA), median of each and of the
 * per-pair ratio.</li>
 * </ol>
 * Run: {@code vision-service/bench.sh compare REFERENCE_DIR OTHER_DIR [PAIRS [GREEDY_TOKENS [IMAGES]]]} (PAIRS 0: accuracy
 * only; IMAGES: the first n fixture images in name order, default all 3).
 */
final class VisionPrecisionComparison {

    private static final Path IMAGES = Path.of("../fixtures/tiny-ovis2/reference/images");

    private VisionPrecisionComparison() {
    }

    static void run(Path referenceDir, Path otherDir, int pairs, int greedyTokens, int maxImages) throws Exception {
        System.out.printf(Locale.ROOT, "vision precision comparison: %s vs %s, %d cores, load average %.2f%n", referenceDir,
                otherDir, Runtime.getRuntime().availableProcessors(), loadAverage());
        ModelDirectory refDir = ModelDirectory.open(referenceDir, ModelDirectory.Verification.SIZES);
        ModelDirectory otherModelDir = ModelDirectory.open(otherDir, ModelDirectory.Verification.SIZES);
        VisionModel refModel = VisionModel.of(refDir);
        VisionModel otherModel = VisionModel.of(otherModelDir);
        String refPrecision = refDir.manifest().visionGraph().precision();
        String otherPrecision = otherModelDir.manifest().visionGraph().precision();
        OnnxSessionFactory sessions = new OnnxSessionFactory(OnnxRuntimeOptions.defaults());
        ImageDecoder decoder = new ImageDecoder(ImageProperties.defaults());
        ImagePreprocessor preprocessor = new ImagePreprocessor();
        List<Path> images;
        try (Stream<Path> s = Files.list(IMAGES)) {
            images = s.sorted().limit(maxImages).toList();
        }
        List<float[]> firstCropRef = new ArrayList<>();
        List<float[]> firstCropOther = new ArrayList<>();
        int hidden = refModel.hidden();
        float[] timingCrop;
        try (OnnxVisualTokenizer ref = new OnnxVisualTokenizer(refModel, sessions);
             OnnxVisualTokenizer other = new OnnxVisualTokenizer(otherModel, sessions)) {
            // 1. accuracy on the fixture images
            double globalMin = 1;
            double sum = 0;
            double centredMin = 1;
            double centredSum = 0;
            int tokens = 0;
            timingCrop = null;
            for (Path image : images) {
                PreprocessedImage pre = preprocessor.preprocess(decoder.decode(Files.readAllBytes(image)), 9);
                if (timingCrop == null) {
                    timingCrop = Arrays.copyOf(pre.pixelValues(), PreprocessedImage.CROP_FLOATS);
                }
                float[] a = tokenizeByCrop(ref, pre);
                float[] b = tokenizeByCrop(other, pre);
                double min = 1;
                double imageSum = 0;
                int n = a.length / hidden;
                for (int t = 0; t < n; t++) {
                    double c = cosine(a, b, t * hidden, hidden);
                    min = Math.min(min, c);
                    imageSum += c;
                }
                // A near-uniform softmax over 65 531 words (random weights) makes every embedding close to
                // the mean VTE row, which flatters the plain cosine: the centred one compares what varies,
                // each token minus the reference's mean token of this image.
                float[] mean = new float[hidden];
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < hidden; i++) {
                        mean[i] += a[t * hidden + i] / n;
                    }
                }
                float[] ac = a.clone();
                float[] bc = b.clone();
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < hidden; i++) {
                        ac[t * hidden + i] -= mean[i];
                        bc[t * hidden + i] -= mean[i];
                    }
                }
                double cMin = 1;
                double cSum = 0;
                for (int t = 0; t < n; t++) {
                    double c = cosine(ac, bc, t * hidden, hidden);
                    cMin = Math.min(cMin, c);
                    cSum += c;
                }
                System.out.printf(Locale.ROOT, "  %-16s %d crops, %5d visual tokens: cosine min %.6f mean %.6f; centred min %.6f mean %.6f; "
                                + "max |d| %.6f (|ref| max %.6f, |ref - mean| max %.6f)%n", image.getFileName(), pre.crops(), n, min,
                        imageSum / n, cMin, cSum / n, maxAbs(a, b), maxAbs(a, new float[a.length]), maxAbs(ac, new float[a.length]));
                globalMin = Math.min(globalMin, min);
                sum += imageSum;
                centredMin = Math.min(centredMin, cMin);
                centredSum += cSum;
                tokens += n;
                firstCropRef.add(Arrays.copyOf(a, 256 * hidden));
                firstCropOther.add(Arrays.copyOf(b, 256 * hidden));
            }
            System.out.printf(Locale.ROOT, "visual-embedding cosine %s vs %s over %d tokens of %d images: min %.6f mean %.6f; "
                    + "centred min %.6f mean %.6f%n", otherPrecision, refPrecision, tokens, images.size(), globalMin, sum / tokens,
                    centredMin, centredSum / tokens);
            if (pairs <= 0) {
                return;
            }

            // 3. speed, one crop per run, alternating
            ref.tokenize(timingCrop, 1);
            other.tokenize(timingCrop, 1);
            long[] refNs = new long[pairs];
            long[] otherNs = new long[pairs];
            double[] ratio = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                // ABBA: whichever runs second in a pair does not always get the warmer caches
                if (i % 2 == 0) {
                    refNs[i] = timed(ref, timingCrop);
                    otherNs[i] = timed(other, timingCrop);
                } else {
                    otherNs[i] = timed(other, timingCrop);
                    refNs[i] = timed(ref, timingCrop);
                }
                ratio[i] = (double) refNs[i] / otherNs[i];
                System.out.printf(Locale.ROOT, "  pair %d: %s %.2f s, %s %.2f s (load average %.2f)%n", i + 1, refPrecision,
                        refNs[i] / 1e9, otherPrecision, otherNs[i] / 1e9, loadAverage());
            }
            System.out.printf(Locale.ROOT, "seconds per crop (1 crop per run, median of %d alternating pairs, %s): %s %.2f s, "
                            + "%s %.2f s, speed-up (median of pair ratios) %.2fx; load average %.2f%n", pairs,
                    sessions.provider().kind(), refPrecision, median(refNs) / 1e9, otherPrecision, median(otherNs) / 1e9,
                    median(ratio), loadAverage());
        }

        // 2. greedy agreement, with the reference directory's decoder (the same decoder for both)
        if (greedyTokens <= 0) {
            return;
        }
        ModelManifest m = refDir.manifest();
        try (OrtSession llm = sessions.open(refDir.decoderGraph());
             EmbeddingTable text = refDir.openTextEmbeddings();
             EmbeddingTable indicators = refDir.openIndicatorEmbeddings()) {
            int agreeTotal = 0;
            for (int i = 0; i < images.size(); i++) {
                List<Integer> a = greedy(llm, m, text, prompt(m, text, indicators, firstCropRef.get(i)), greedyTokens);
                List<Integer> b = greedy(llm, m, text, prompt(m, text, indicators, firstCropOther.get(i)), greedyTokens);
                int k = 0;
                while (k < Math.min(a.size(), b.size()) && a.get(k).equals(b.get(k))) {
                    k++;
                }
                agreeTotal += k;
                System.out.printf(Locale.ROOT, "  %-16s greedy %s: %s%n  %-16s greedy %s: %s  -> first %d of %d agree%n",
                        images.get(i).getFileName(), refPrecision, a, "", otherPrecision, b, k, Math.min(a.size(), b.size()));
            }
            System.out.printf(Locale.ROOT, "greedy tokens with the %s decoder: %d of %d leading tokens agree over %d prompts; load average %.2f%n",
                    m.decoderGraph().precision(), agreeTotal, greedyTokens * images.size(), images.size(), loadAverage());
        }
    }

    /** One crop per run, as the timing does: batch size stays out of the accuracy figures. */
    private static float[] tokenizeByCrop(OnnxVisualTokenizer tokenizer, PreprocessedImage pre) throws Exception {
        int rows = 256 * tokenizer.hidden();
        float[] out = new float[pre.crops() * rows];
        for (int c = 0; c < pre.crops(); c++) {
            float[] crop = Arrays.copyOfRange(pre.pixelValues(), c * PreprocessedImage.CROP_FLOATS,
                    (c + 1) * PreprocessedImage.CROP_FLOATS);
            System.arraycopy(tokenizer.tokenize(crop, 1), 0, out, c * rows, rows);
        }
        return out;
    }

    private static long timed(OnnxVisualTokenizer tokenizer, float[] crop) throws Exception {
        long t0 = System.nanoTime();
        tokenizer.tokenize(crop, 1);
        return System.nanoTime() - t0;
    }

    /** im_start, indicator −301 (image start), 256 visual rows, indicator −305 (image end), im_end, im_start. */
    private static float[] prompt(ModelManifest m, EmbeddingTable text, EmbeddingTable indicators, float[] visual) {
        int h = m.llm().hiddenSize();
        float[] p = new float[(256 + 5) * h];
        text.copyRow(m.specialIds().imStart(), p, 0);
        indicators.copyRow(0, p, h);
        System.arraycopy(visual, 0, p, 2 * h, 256 * h);
        indicators.copyRow(4, p, 258 * h);
        text.copyRow(m.specialIds().imEnd(), p, 259 * h);
        text.copyRow(m.specialIds().imStart(), p, 260 * h);
        return p;
    }

    /** A bare batch-1 greedy loop with the KV cache (model-runtime's test GreedyLoop is not visible here). */
    private static List<Integer> greedy(OrtSession decoder, ModelManifest m, EmbeddingTable text, float[] prompt, int steps)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        var llm = m.llm();
        int h = llm.hiddenSize();
        Map<String, OnnxTensor> past = new HashMap<>();
        List<OnnxTensor> empties = new ArrayList<>();
        for (int i = 0; i < llm.numLayers(); i++) {
            for (String kv : new String[] {"key", "value"}) {
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, llm.numKeyValueHeads(), 0, llm.headDim()});
                empties.add(t);
                past.put("past_key_values." + i + "." + kv, t);
            }
        }
        List<Integer> tokens = new ArrayList<>();
        float[] embeds = prompt;
        int total = prompt.length / h;
        OrtSession.Result previous = null;
        try {
            while (tokens.size() < steps) {
                int seq = embeds.length / h;
                long[] positions = new long[seq];
                for (int i = 0; i < seq; i++) {
                    positions[i] = total - seq + i;
                }
                long[] mask = new long[total];
                Arrays.fill(mask, 1L);
                Map<String, OnnxTensor> in = new HashMap<>(past);
                try (OnnxTensor e = OnnxTensor.createTensor(env, FloatBuffer.wrap(embeds), new long[] {1, seq, h});
                     OnnxTensor am = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total});
                     OnnxTensor pos = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, seq})) {
                    in.put("inputs_embeds", e);
                    in.put("attention_mask", am);
                    in.put("position_ids", pos);
                    OrtSession.Result result = decoder.run(in);
                    if (previous != null) {
                        previous.close();
                    }
                    previous = result;
                }
                float[] logits = ((float[][]) previous.get("logits").orElseThrow().getValue())[0];
                int next = 0;
                for (int v = 1; v < logits.length; v++) {
                    if (logits[v] > logits[next]) {
                        next = v;
                    }
                }
                tokens.add(next);
                if (m.stopIds().contains(next)) {
                    break;
                }
                for (int i = 0; i < llm.numLayers(); i++) {
                    for (String kv : new String[] {"key", "value"}) {
                        past.put("past_key_values." + i + "." + kv,
                                (OnnxTensor) previous.get("present." + i + "." + kv).orElseThrow());
                    }
                }
                embeds = new float[h];
                text.copyRow(next, embeds, 0);
                total++;
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
            empties.forEach(OnnxTensor::close);
        }
        return tokens;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
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

    private static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
