package dev.ovis.serve.ocr.quality;

import com.benjaminwan.ocrlibrary.TextBlock;
import dev.ovis.serve.ocr.engine.OcrEngineFactory;
import dev.ovis.serve.ocr.engine.OcrProperties;
import dev.ovis.serve.ocr.image.ImageDecoder;
import dev.ovis.serve.ocr.model.ModelFile;
import dev.ovis.serve.ocr.model.ModelLoader;
import dev.ovis.serve.ocr.paddle.StageTimings;
import io.github.mymonstercat.Model;
import io.github.mymonstercat.ocr.InferenceEngine;
import io.github.mymonstercat.ocr.config.HardwareConfig;
import io.github.mymonstercat.ocr.config.ParamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The OCR benchmark (not part of the normal test run; see docs/benchmarks.md for the command):
 * renders the full quality set to PNG files, then in one run
 * <ol>
 * <li>reads every image with our engine in its default setting (language auto-detected) and with
 *     the language given — CER and word recall per language;</li>
 * <li>compares PP-OCR model choices (det v3/v4 × rec v3/v4) on the Latin and Chinese images;</li>
 * <li>compares our PaddleOCR pipeline with RapidOCR for Java on the same files and models:
 *     word recall, CER and latency per image split into detection / classification / recognition.</li>
 * </ol>
 * Figures go to stdout and {@code target/ocr-benchmark.md}. {@code -Docr.bench.only=peer} (or
 * {@code quality}, {@code models}, comma-separated) runs only those parts.
 */
class OcrBenchmark {

    private static final int RUNS = Integer.getInteger("ocr.bench.runs", 3);
    private static final int THREADS = Integer.getInteger("ocr.bench.threads", 2);
    private final StringBuilder report = new StringBuilder();

    @Test
    void benchmark() throws Exception {
        Path dir = Path.of("target/ocr-bench");
        Files.createDirectories(dir);
        List<Sample> samples = Sample.full();
        Map<Sample, Path> files = new LinkedHashMap<>();
        for (Sample s : samples) {
            Path file = dir.resolve(s.id() + ".png");
            ImageIO.write(s.page().render().toBufferedImage(), "png", file.toFile());
            files.put(s, file);
        }
        List<Sample> paddleSet = samples.stream().filter(s -> s.language().equals("en") || s.language().equals("zh")).toList();
        line("# OCR benchmark (" + samples.size() + " images, " + THREADS + " threads, median of " + RUNS + " runs)");
        String only = System.getProperty("ocr.bench.only", "quality,models,peer");
        if (only.contains("quality")) {
            qualityPerLanguage(files);
        }
        if (only.contains("models")) {
            modelChoice(files, paddleSet);
        }
        if (only.contains("peer")) {
            peer(files, paddleSet);
        }
        Files.writeString(Path.of("target/ocr-benchmark.md"), report);
    }

    private void qualityPerLanguage(Map<Sample, Path> files) throws Exception {
        line("\n## Quality per language (default engine choice)\n");
        line("| language | images | CER (languages given) | word recall | CER (auto-detected) | engine(s) |");
        line("|---|---|---|---|---|---|");
        try (var factory = new OcrEngineFactory(properties("v3", "v3"), new ModelLoader())) {
            Map<String, double[]> perLanguage = new LinkedHashMap<>();
            Map<String, java.util.Set<String>> engines = new LinkedHashMap<>();
            for (var e : files.entrySet()) {
                Sample s = e.getKey();
                var image = new ImageDecoder(100_000_000).decode(Files.readAllBytes(e.getValue()));
                var given = factory.engine().read(image, List.of(s.language()), null);
                var auto = factory.engine().read(image, List.of(), null);
                double[] acc = perLanguage.computeIfAbsent(s.language(), k -> new double[4]);
                acc[0] += Scoring.cer(s.page().text(), given.text(), s.language());
                acc[1] += Scoring.wordRecall(s.page().text(), given.text(), s.language());
                acc[2] += Scoring.cer(s.page().text(), auto.text(), s.language());
                acc[3]++;
                given.blocks().forEach(b -> b.lines().forEach(l -> engines.computeIfAbsent(s.language(),
                        k -> new java.util.TreeSet<>()).add(l.engine())));
                System.out.printf("  %-16s given: %s | auto: %s%n", s.id(), given.text().replace("\n", " / "),
                        auto.text().replace("\n", " / "));
            }
            for (var e : perLanguage.entrySet()) {
                double[] a = e.getValue();
                line(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %s |", e.getKey(), (int) a[3], a[0] / a[3],
                        a[1] / a[3], a[2] / a[3], String.join(", ", engines.getOrDefault(e.getKey(), java.util.Set.of()))));
            }
        }
    }

    private void modelChoice(Map<Sample, Path> files, List<Sample> set) throws Exception {
        line("\n## PP-OCR model choice (English + Chinese images)\n");
        line("| det | rec | CER en | recall en | CER zh | recall zh | ms/image |");
        line("|---|---|---|---|---|---|---|");
        for (String[] combo : new String[][] {{"v3", "v3"}, {"v4", "v3"}, {"v3", "v4"}, {"v4", "v4"}}) {
            try (var factory = new OcrEngineFactory(properties(combo[0], combo[1]), new ModelLoader())) {
                Score score = new Score();
                for (Sample s : set) {
                    var image = new ImageDecoder(100_000_000).decode(Files.readAllBytes(files.get(s)));
                    factory.engine().read(image, List.of(s.language()), "paddle");
                    long[] times = new long[RUNS];
                    String text = "";
                    for (int r = 0; r < RUNS; r++) {
                        long t0 = System.nanoTime();
                        text = factory.engine().read(image, List.of(s.language()), "paddle").text();
                        times[r] = System.nanoTime() - t0;
                    }
                    score.add(s, text, median(times), null);
                }
                line(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.0f |", combo[0], combo[1],
                        score.cer("en"), score.recall("en"), score.cer("zh"), score.recall("zh"), score.meanMs()));
            }
        }
    }

    private void peer(Map<Sample, Path> files, List<Sample> set) throws Exception {
        line("\n## Ours vs RapidOCR for Java (same PP-OCRv3 det+rec, same files)\n");
        line("| engine | CER en | recall en | CER zh | recall zh | ms/image | det ms | cls ms | rec ms |");
        line("|---|---|---|---|---|---|---|---|---|");
        Score ours = new Score();
        try (var factory = new OcrEngineFactory(properties("v3", "v3"), new ModelLoader())) {
            ImageDecoder decoder = new ImageDecoder(100_000_000);
            for (Sample s : set) {
                byte[] bytes = Files.readAllBytes(files.get(s));
                factory.engine().read(decoder.decode(bytes), List.of(s.language()), "paddle");
                long[] times = new long[RUNS];
                long[][] split = new long[RUNS][];
                String text = "";
                for (int r = 0; r < RUNS; r++) {
                    long t0 = System.nanoTime();
                    text = factory.engine().read(decoder.decode(bytes), List.of(s.language()), "paddle").text();
                    times[r] = System.nanoTime() - t0;
                    StageTimings t = factory.paddle().lastTimings();
                    split[r] = new long[] {t.detectNanos(), t.classifyNanos(), t.recognizeNanos()};
                }
                ours.add(s, text, median(times), split[RUNS / 2]);
            }
        }
        ours.row("ours (Java + ORT)");
        Score rapid = new Score();
        InferenceEngine engine = InferenceEngine.getInstance(Model.ONNX_PPOCR_V3, new HardwareConfig(THREADS, -1));
        ParamConfig params = ParamConfig.getDefaultConfig();
        params.setDoAngle(true);
        params.setMostAngle(false);
        for (Sample s : set) {
            String path = files.get(s).toAbsolutePath().toString();
            engine.runOcr(path, params);
            long[] times = new long[RUNS];
            long[][] split = new long[RUNS][];
            String text = "";
            for (int r = 0; r < RUNS; r++) {
                long t0 = System.nanoTime();
                var result = engine.runOcr(path, params);
                times[r] = System.nanoTime() - t0;
                List<String> lines = new ArrayList<>();
                double cls = 0, rec = 0;
                for (TextBlock b : result.getTextBlocks()) {
                    lines.add(b.getText());
                    cls += b.getAngleTime();
                    rec += b.getCrnnTime();
                }
                text = String.join("\n", lines);
                split[r] = new long[] {(long) (result.getDbNetTime() * 1e6), (long) (cls * 1e6), (long) (rec * 1e6)};
            }
            rapid.add(s, text, median(times), split[RUNS / 2]);
            System.out.printf("  rapid %-16s %s%n", s.id(), text.replace("\n", " / "));
        }
        rapid.row("RapidOCR for Java 0.0.7");
    }

    private final class Score {
        final Map<String, double[]> acc = new LinkedHashMap<>();
        double totalMs;
        final double[] split = new double[3];
        int n;

        void add(Sample s, String text, long nanos, long[] stages) {
            double[] a = acc.computeIfAbsent(s.language(), k -> new double[3]);
            a[0] += Scoring.cer(s.page().text(), text, s.language());
            a[1] += Scoring.wordRecall(s.page().text(), text, s.language());
            a[2]++;
            totalMs += nanos / 1e6;
            if (stages != null) {
                for (int i = 0; i < 3; i++) {
                    split[i] += stages[i] / 1e6;
                }
            }
            n++;
        }

        double cer(String l) {
            double[] a = acc.getOrDefault(l, new double[] {0, 0, 1});
            return a[0] / a[2];
        }

        double recall(String l) {
            double[] a = acc.getOrDefault(l, new double[] {0, 0, 1});
            return a[1] / a[2];
        }

        double meanMs() {
            return totalMs / n;
        }

        void row(String name) {
            line(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f |", name, cer("en"),
                    recall("en"), cer("zh"), recall("zh"), meanMs(), split[0] / n, split[1] / n, split[2] / n));
        }
    }

    static OcrProperties properties(String det, String rec) {
        Map<String, String> sha = Map.of(
                "det-v3", "3439588c030faea393a54515f51e983d8e155b19a2e8aba7891934c1cf0de526",
                "det-v4", "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
                "rec-v3", "897a3ededb38fee0dae2c1ccee38241f37df202c9509e3abca02e9217c5ee615",
                "rec-v4", "01963c554a1a00203c5746bca5306fc05a1278a014495383ddd935d0d2ac0415");
        var defaults = new OcrProperties.Paddle(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        var recognizer = new OcrProperties.Recognizer("ppocr-" + rec + "-ch", List.of("zh", "en"),
                new ModelFile("classpath:models/ch_PP-OCR" + rec + "_rec_infer.onnx", sha.get("rec-" + rec)),
                defaults.recognizers().getFirst().dictionary());
        var paddle = new OcrProperties.Paddle(true, new ModelFile("classpath:models/ch_PP-OCR" + det + "_det_infer.onnx",
                sha.get("det-" + det)), defaults.classifier(), List.of(recognizer), THREADS, null, null, null, null, null, null, null, null, null, null);
        return new OcrProperties(paddle, null, null, null);
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private void line(String s) {
        System.out.println(s);
        report.append(s).append('\n');
    }

}
