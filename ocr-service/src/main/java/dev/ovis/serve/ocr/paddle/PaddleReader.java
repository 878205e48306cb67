package dev.ovis.serve.ocr.paddle;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.ocr.classify.OrientationClassifier;
import dev.ovis.serve.ocr.detect.DbPostProcessor.ScoredBox;
import dev.ovis.serve.ocr.detect.Quad;
import dev.ovis.serve.ocr.detect.TextDetector;
import dev.ovis.serve.ocr.image.PerspectiveCrop;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.page.OcrException;
import dev.ovis.serve.ocr.page.PageReader;
import dev.ovis.serve.ocr.recognize.Recognition;
import dev.ovis.serve.ocr.recognize.TextRecognizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The PP-OCR pipeline: detect line boxes, rectify each box by perspective transform (tall boxes
 * turned 90° as vertical text), turn upside-down crops, recognise with the recognizer that
 * covers the requested languages. Lines below {@code minConfidence} are dropped as noise.
 */
public final class PaddleReader implements PageReader {

    private final TextDetector detector;
    private final OrientationClassifier classifier;
    private final List<TextRecognizer> recognizers;
    private final double minConfidence;
    private volatile StageTimings lastTimings = new StageTimings(0, 0, 0, 0);

    public PaddleReader(TextDetector detector, OrientationClassifier classifier, List<TextRecognizer> recognizers,
            double minConfidence) {
        if (recognizers.isEmpty()) {
            throw new IllegalArgumentException("at least one recognizer");
        }
        this.detector = detector;
        this.classifier = classifier;
        this.recognizers = List.copyOf(recognizers);
        this.minConfidence = minConfidence;
    }

    @Override
    public String name() {
        return "paddle";
    }

    @Override
    public boolean supports(List<String> languages) {
        return recognizerFor(languages) != null;
    }

    /** Timings of the most recent read on any thread (benchmarks read it single-threaded). */
    public StageTimings lastTimings() {
        return lastTimings;
    }

    @Override
    public List<OcrLine> read(RgbImage image, List<String> languages) throws OcrException {
        TextRecognizer recognizer = recognizerFor(languages);
        if (recognizer == null) {
            throw new OcrException(ErrorCode.LANGUAGE_UNAVAILABLE, "no PaddleOCR recognizer reads " + languages);
        }
        try {
            long t0 = System.nanoTime();
            List<ScoredBox> boxes = detector.detect(image);
            long t1 = System.nanoTime();
            List<RgbImage> crops = new ArrayList<>(boxes.size());
            for (ScoredBox box : boxes) {
                crops.add(crop(image, box.quad()));
            }
            boolean[] turned = classifier == null ? new boolean[crops.size()] : classifier.classify(crops);
            for (int i = 0; i < crops.size(); i++) {
                if (turned[i]) {
                    crops.set(i, crops.get(i).rotate180());
                }
            }
            long t2 = System.nanoTime();
            List<Recognition> texts = recognizer.recognize(crops);
            long t3 = System.nanoTime();
            List<OcrLine> lines = new ArrayList<>();
            for (int i = 0; i < boxes.size(); i++) {
                Recognition r = texts.get(i);
                if (!r.text().isBlank() && r.confidence() >= minConfidence) {
                    lines.add(new OcrLine(r.text(), r.confidence(), boxes.get(i).quad().points(), name(),
                            languageOf(r.text(), recognizer)));
                }
            }
            lastTimings = new StageTimings(t1 - t0, t2 - t1, t3 - t2, lines.size());
            return lines;
        } catch (OrtException e) {
            throw new OcrException(ErrorCode.INTERNAL, "ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private TextRecognizer recognizerFor(List<String> languages) {
        for (TextRecognizer r : recognizers) {
            if (languages.isEmpty() || r.languages().containsAll(languages)) {
                return r;
            }
        }
        return null;
    }

    static RgbImage crop(RgbImage image, Quad quad) {
        int w = Math.max(1, (int) Math.round(quad.width()));
        int h = Math.max(1, (int) Math.round(quad.height()));
        RgbImage crop = PerspectiveCrop.crop(image, quad.points(), w, h);
        return (double) h / w >= 1.5 ? crop.rotate90CounterClockwise() : crop;
    }

    /** A multi-language model's line is labelled by its script: Han text as zh, the rest as the other language. */
    private static String languageOf(String text, TextRecognizer recognizer) {
        if (recognizer.languages().size() == 1) {
            return recognizer.languages().iterator().next();
        }
        boolean han = text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
        if (han && recognizer.languages().contains("zh")) {
            return "zh";
        }
        return recognizer.languages().stream().filter(l -> !l.equals("zh")).sorted()
                .findFirst().orElse(recognizer.languages().iterator().next()).toLowerCase(Locale.ROOT);
    }
}
