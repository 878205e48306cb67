package dev.ovis.serve.vision.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.testing.InMemoryObjectStore;
import dev.ovis.serve.vision.cache.CacheProperties;
import dev.ovis.serve.vision.cache.EmbeddingCache;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.image.RgbImage;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import dev.ovis.serve.vision.stage.ImageEmbedder;
import dev.ovis.serve.vision.tokenizer.BatchProperties;
import dev.ovis.serve.vision.tokenizer.BatchingVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.OnnxVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.VisionModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/**
 * The vision benchmark (docs/benchmarks.md, "Vision"): in one run on one machine,
 * (1) decode + preprocessing throughput for 12 MP JPEG photos to a 3×3 grid, (2) the visual
 * tokenizer's time per crop against a bare {@code OrtSession.run} on the same input, (3) cached vs
 * uncached latency of a whole image. Run it with {@code vision-service/bench.sh [model-dir]}; with
 * {@code compare DIR_A DIR_B} it compares two vision graphs instead ({@link VisionPrecisionComparison}).
 */
public final class VisionBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[0].equals("profile")) {
            VisionProfile.run(Path.of(args[1]));
            return;
        }
        if (args.length > 0 && args[0].equals("compare")) {
            if (args.length < 3) {
                throw new IllegalArgumentException("usage: compare REFERENCE_DIR OTHER_DIR [PAIRS [GREEDY_TOKENS [IMAGES]]]");
            }
            VisionPrecisionComparison.run(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 5,
                    args.length > 4 ? Integer.parseInt(args[4]) : 16, args.length > 5 ? Integer.parseInt(args[5]) : Integer.MAX_VALUE);
            return;
        }
        Path modelDir = Path.of(args.length > 0 && !args[0].isBlank() ? args[0] : "../fixtures/tiny-ovis2");
        int crops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int cacheMaxPartition = args.length > 3 ? Integer.parseInt(args[3]) : 9;
        System.out.printf(Locale.ROOT, "vision benchmark: model %s, %d cores, JDK %s, load average %.1f%n", modelDir,
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        byte[] photo = photo12mp();
        preprocessing(photo);
        OnnxSessionFactory sessions = new OnnxSessionFactory(OnnxRuntimeOptions.defaults());
        VisionModel model = modelDir.toString().endsWith(".onnx") ? bareGraph(modelDir, sessions)
                : VisionModel.of(ModelDirectory.open(modelDir, ModelDirectory.Verification.SIZES));
        try (OnnxVisualTokenizer onnx = new OnnxVisualTokenizer(model, sessions);
             BatchingVisualTokenizer batching = new BatchingVisualTokenizer(onnx, BatchProperties.defaults())) {
            tokenizerOverhead(model, sessions, batching, crops, runs);
            cachedVsUncached(model, batching, photo, cacheMaxPartition);
        }
    }

    /** A vision graph without its model directory (e.g. while the exporter still writes the decoder): hidden from its output. */
    static VisionModel bareGraph(Path graph, OnnxSessionFactory sessions) throws Exception {
        try (OrtSession session = sessions.open(graph)) {
            long[] shape = ((ai.onnxruntime.TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
            String name = graph.toAbsolutePath().getParent().getFileName().toString();
            return new VisionModel(name, name, (int) shape[2], graph, false, "float32");
        }
    }

    /** A 4000×3000 JPEG: smooth colour fields plus noise, like a photo for the codec. */
    static byte[] photo12mp() throws Exception {
        BufferedImage img = new BufferedImage(4000, 3000, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(42);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0, i = 0; y < 3000; y++) {
            for (int x = 0; x < 4000; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 128 + 90 * Math.sin(x * 0.002 * (c + 1) + y * 0.003) + random.nextInt(24) - 12;
                    data[i++] = (byte) Math.max(0, Math.min(255, (int) v));
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    static void preprocessing(byte[] photo) throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageProperties.defaults());
        ImagePreprocessor preprocessor = new ImagePreprocessor();
        RgbImage image = decoder.decode(photo);
        for (int i = 0; i < 3; i++) {
            preprocessor.preprocess(decoder.decode(photo), 9);
        }
        int n = 8;
        long decodeNs = 0;
        long preNs = 0;
        int cropsOut = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            RgbImage decoded = decoder.decode(photo);
            long t1 = System.nanoTime();
            cropsOut = preprocessor.preprocess(decoded, 9).crops();
            long t2 = System.nanoTime();
            decodeNs += t1 - t0;
            preNs += t2 - t1;
        }
        double mp = image.width() * (double) image.height() / 1e6;
        double perImage = (decodeNs + preNs) / 1e9 / n;
        System.out.printf(Locale.ROOT, "preprocess 12MP JPEG -> 3x3 (%d crops), 1 thread: decode %.0f ms + preprocess %.0f ms = %.2f images/s, %.1f MP/s%n",
                cropsOut, decodeNs / 1e6 / n, preNs / 1e6 / n, 1 / perImage, mp / perImage);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            int total = 4 * threads;
            long t0 = System.nanoTime();
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                futures.add(pool.submit(() -> preprocessor.preprocess(decoder.decode(photo), 9).crops()));
            }
            for (Future<Integer> f : futures) {
                f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "preprocess 12MP JPEG -> 3x3, %d threads: %.2f images/s, %.1f MP/s%n",
                    threads, total / secs, total * mp / secs);
        } finally {
            pool.shutdownNow();
        }
    }

    static void tokenizerOverhead(VisionModel model, OnnxSessionFactory sessions, BatchingVisualTokenizer tokenizer, int crops,
                                  int runs) throws Exception {
        float[] px = new float[crops * PreprocessedImage.CROP_FLOATS];
        Random random = new Random(1);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) random.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession raw = sessions.open(model.graph());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(px), new long[] {crops, 3, 448, 448})) {
            tokenizer.tokenize(px, crops);
            try (OrtSession.Result r = raw.run(Map.of("pixel_values", input))) {
                r.get(0);
            }
            long[] rawNs = new long[runs];
            long[] tokNs = new long[runs];
            for (int i = 0; i < runs; i++) {
                // Alternate the two so machine noise hits both alike.
                long t0 = System.nanoTime();
                try (OrtSession.Result r = raw.run(Map.of("pixel_values", input))) {
                    r.get(0);
                }
                long t1 = System.nanoTime();
                tokenizer.tokenize(px, crops);
                long t2 = System.nanoTime();
                rawNs[i] = t1 - t0;
                tokNs[i] = t2 - t1;
            }
            double rawMs = median(rawNs) / 1e6 / crops;
            double tokMs = median(tokNs) / 1e6 / crops;
            System.out.printf(Locale.ROOT, "tokenizer, batches of %d crop(s), median of %d: raw OrtSession.run %.2f ms/crop, "
                    + "VisualTokenizer.tokenize %.2f ms/crop, overhead %+.2f%% (%s on %s)%n", crops, runs, rawMs, tokMs,
                    (tokMs - rawMs) / rawMs * 100, model.id(), sessions.provider().kind());
        }
    }

    static void cachedVsUncached(VisionModel model, BatchingVisualTokenizer tokenizer, byte[] photo, int maxPartition)
            throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        ImageEmbedder embedder = new ImageEmbedder(store, new ImageDecoder(ImageProperties.defaults()), new ImagePreprocessor(),
                tokenizer, model, new EmbeddingCache(store, CacheProperties.defaults()), ImageProperties.defaults());
        MediaRef media = store.putBytes("bench/photo.jpg", photo, "image/jpeg");
        long t0 = System.nanoTime();
        ImageEmbedder.Result first = embedder.embed("bench", media, maxPartition);
        long t1 = System.nanoTime();
        int n = 20;
        for (int i = 0; i < n; i++) {
            embedder.embed("bench", media, maxPartition);
        }
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "12MP photo at max_partition %d (%d crops): uncached %.1f ms, cached %.3f ms (in-memory store; "
                + "a real S3 adds one HEAD round trip)%n", maxPartition, first.embeddings().layout().crops(), (t1 - t0) / 1e6,
                (t2 - t1) / 1e6 / n);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private VisionBenchmark() {
    }
}
