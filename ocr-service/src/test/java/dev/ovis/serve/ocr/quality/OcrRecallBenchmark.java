package dev.ovis.serve.ocr.quality;

import com.benjaminwan.ocrlibrary.TextBlock;
import dev.ovis.serve.ocr.engine.OcrEngineFactory;
import dev.ovis.serve.ocr.engine.OcrProperties;
import dev.ovis.serve.ocr.image.ImageDecoder;
import dev.ovis.serve.ocr.model.ModelLoader;
import io.github.mymonstercat.Model;
import io.github.mymonstercat.ocr.InferenceEngine;
import io.github.mymonstercat.ocr.config.HardwareConfig;
import io.github.mymonstercat.ocr.config.ParamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Word recall and merged words on {@link RealisticSet} (issue 15), ours in several settings vs
 * RapidOCR for Java on the same files (not part of the normal test run; command in
 * docs/benchmarks.md). Variants: {@code -Docr.recall.variants="name:key=value,key=value;name2:..."}
 * with keys {@code unclip}, {@code dilate}, {@code maxSide}, {@code pad}, {@code maxWidth},
 * {@code box}, {@code iso} (isolated-line unclip ratio), {@code thresh} (binarisation), {@code clsWin} (windowed orientation); unset keys take the defaults of {@link OcrProperties}. {@code -Docr.recall.peer=false}
 * skips RapidOCR; {@code -Docr.recall.set=heldout} reads {@link RealisticSet#heldOut()} instead. Figures go to stdout and {@code target/ocr-recall.md}.
 */
class OcrRecallBenchmark {

    private static final int THREADS = Integer.getInteger("ocr.bench.threads", 2);
    private final StringBuilder report = new StringBuilder();
    private final Map<String, Map<RealisticSet.Image, Long>> times = new LinkedHashMap<>();

    @Test
    void recall() throws Exception {
        Path dir = Path.of("target/ocr-recall");
        Files.createDirectories(dir);
        String set = System.getProperty("ocr.recall.set", "main");
        List<RealisticSet.Image> images = new ArrayList<>();
        if (!set.equals("heldout")) {
            images.addAll(RealisticSet.all());
        }
        if (!set.equals("main")) {
            images.addAll(RealisticSet.heldOut());
        }
        Map<RealisticSet.Image, Path> files = new LinkedHashMap<>();
        for (RealisticSet.Image image : images) {
            Path file = dir.resolve(image.id() + "." + image.format());
            Files.write(file, image.bytes());
            Files.writeString(dir.resolve(image.id() + ".txt"), image.truth());
            files.put(image, file);
        }
        StringBuilder header = new StringBuilder("| engine |");
        StringBuilder rule = new StringBuilder("|---|");
        for (RealisticSet.Image image : images) {
            header.append(' ').append(image.id()).append(" |");
            rule.append("---|");
        }
        header.append(" book upright | book tilted | signs | merged words |");
        rule.append("---|---|---|---|");
        line("Word recall (merged words) per image; " + THREADS + " threads\n");
        line(header.toString());
        line(rule.toString());
        String spec = System.getProperty("ocr.recall.variants", "default:");
        for (String variant : spec.split(";")) {
            if (variant.isBlank()) {
                continue;
            }
            String name = variant.substring(0, variant.indexOf(':'));
            OcrProperties properties = properties(variant.substring(variant.indexOf(':') + 1));
            Map<RealisticSet.Image, String> texts = new LinkedHashMap<>();
            Map<RealisticSet.Image, Long> nanos = new LinkedHashMap<>();
            try (var factory = new OcrEngineFactory(properties, new ModelLoader())) {
                ImageDecoder decoder = new ImageDecoder(100_000_000);
                factory.engine().read(decoder.decode(images.getFirst().bytes()), List.of("en"), "paddle"); // warm-up
                for (RealisticSet.Image image : images) {
                    long t0 = System.nanoTime();
                    texts.put(image, factory.engine().read(decoder.decode(image.bytes()), List.of("en"), "paddle").text());
                    nanos.put(image, System.nanoTime() - t0);
                }
            }
            row(name, texts);
            times.put(name, nanos);
        }
        if (Boolean.parseBoolean(System.getProperty("ocr.recall.peer", "true"))) {
            InferenceEngine engine = InferenceEngine.getInstance(Model.ONNX_PPOCR_V3, new HardwareConfig(THREADS, -1));
            ParamConfig params = ParamConfig.getDefaultConfig();
            params.setDoAngle(true);
            params.setMostAngle(false);
            Map<RealisticSet.Image, String> texts = new LinkedHashMap<>();
            Map<RealisticSet.Image, Long> nanos = new LinkedHashMap<>();
            engine.runOcr(files.get(images.getFirst()).toAbsolutePath().toString(), params); // warm-up
            for (RealisticSet.Image image : images) {
                long t0 = System.nanoTime();
                var result = engine.runOcr(files.get(image).toAbsolutePath().toString(), params);
                nanos.put(image, System.nanoTime() - t0);
                List<String> lines = new ArrayList<>();
                for (TextBlock b : result.getTextBlocks()) {
                    lines.add(b.getText());
                }
                texts.put(image, String.join("\n", lines));
            }
            row("RapidOCR 0.0.7", texts);
            times.put("RapidOCR 0.0.7", nanos);
        }
        // time per image, decoding included (ours from the bytes, RapidOCR from the file), one pass
        // after one warm-up image, engines one after the other: a shared machine's load shows
        line("\nTime per image (ms, one pass, " + THREADS + " threads; load average "
                + String.format(Locale.ROOT, "%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage()) + " at the end)\n");
        line("| engine | mean | book upright | book tilted | signs | largest image |");
        line("|---|---|---|---|---|---|");
        for (var engineTimes : times.entrySet()) {
            double[] sum = new double[3];
            int[] count = new int[3];
            double all = 0;
            double largest = 0;
            for (var e : engineTimes.getValue().entrySet()) {
                double ms = e.getValue() / 1e6;
                int group = e.getKey().kind().equals("sign") ? 2 : e.getKey().degrees() == 0 ? 0 : 1;
                sum[group] += ms;
                count[group]++;
                all += ms;
                largest = Math.max(largest, ms);
            }
            line(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f |", engineTimes.getKey(),
                    all / engineTimes.getValue().size(), sum[0] / Math.max(1, count[0]), sum[1] / Math.max(1, count[1]),
                    sum[2] / Math.max(1, count[2]), largest));
        }
        Files.writeString(Path.of("target/ocr-recall.md"), report);
    }

    private void row(String name, Map<RealisticSet.Image, String> texts) {
        StringBuilder row = new StringBuilder("| " + name + " |");
        double[] sum = new double[3];
        int[] count = new int[3];
        int merges = 0;
        for (var e : texts.entrySet()) {
            RealisticSet.Image image = e.getKey();
            double recall = Scoring.wordRecall(image.truth(), e.getValue(), "en");
            List<String> merged = RealisticSet.merged(image.truth(), e.getValue());
            merges += merged.size();
            row.append(String.format(Locale.ROOT, " %.3f (%d) |", recall, merged.size()));
            int group = image.kind().equals("sign") ? 2 : image.degrees() == 0 ? 0 : 1;
            sum[group] += recall;
            count[group]++;
            System.out.printf("  %-14s %-18s recall %.3f merged %s missing %s%n    %s%n", name, image.id(), recall, merged,
                    missing(image.truth(), e.getValue()), e.getValue().replace("\n", " / "));
        }
        for (int i = 0; i < 3; i++) {
            row.append(String.format(Locale.ROOT, " %.3f |", sum[i] / Math.max(1, count[i])));
        }
        row.append(' ').append(merges).append(" |");
        line(row.toString());
    }

    /** Truth words not found in the output (duplicates counted). */
    static List<String> missing(String truth, String output) {
        Map<String, Integer> have = new java.util.HashMap<>();
        for (String w : Scoring.normalise(output, "en").split(" ")) {
            have.merge(w, 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        for (String w : Scoring.normalise(truth, "en").split(" ")) {
            if (have.getOrDefault(w, 0) > 0) {
                have.merge(w, -1, Integer::sum);
            } else {
                out.add(w);
            }
        }
        return out;
    }

    /** Paddle settings from {@code key=value,...} over the defaults. */
    static OcrProperties properties(String settings) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String pair : settings.split(",")) {
            if (pair.contains("=")) {
                kv.put(pair.substring(0, pair.indexOf('=')).strip(), pair.substring(pair.indexOf('=') + 1).strip());
            }
        }
        var paddle = new OcrProperties.Paddle(true, null, null, null, THREADS,
                kv.containsKey("maxSide") ? Integer.valueOf(kv.get("maxSide")) : null,
                kv.containsKey("box") ? Double.valueOf(kv.get("box")) : null,
                kv.containsKey("unclip") ? Double.valueOf(kv.get("unclip")) : null,
                kv.containsKey("dilate") ? Boolean.valueOf(kv.get("dilate")) : null,
                null,
                kv.containsKey("pad") ? Integer.valueOf(kv.get("pad")) : null,
                kv.containsKey("maxWidth") ? Integer.valueOf(kv.get("maxWidth")) : null,
                kv.containsKey("iso") ? Double.valueOf(kv.get("iso")) : null,
                kv.containsKey("thresh") ? Double.valueOf(kv.get("thresh")) : null,
                kv.containsKey("clsWin") ? Boolean.valueOf(kv.get("clsWin")) : null);
        return new OcrProperties(paddle, null, null, null);
    }

    private void line(String s) {
        System.out.println(s);
        report.append(s).append('\n');
    }
}
