package dev.ovis.serve.ocr.engine;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.ocr.classify.OnnxOrientationClassifier;
import dev.ovis.serve.ocr.detect.DbPostProcessor;
import dev.ovis.serve.ocr.detect.OnnxTextDetector;
import dev.ovis.serve.ocr.model.ModelLoader;
import dev.ovis.serve.ocr.model.OnnxModel;
import dev.ovis.serve.ocr.paddle.PaddleReader;
import dev.ovis.serve.ocr.recognize.CharDictionary;
import dev.ovis.serve.ocr.recognize.OnnxTextRecognizer;
import dev.ovis.serve.ocr.recognize.TextRecognizer;
import dev.ovis.serve.ocr.tesseract.TesseractReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Builds the engines from {@link OcrProperties} and owns their ONNX sessions (closed with it).
 * Used by the Spring configuration and directly by tests and the benchmark.
 */
public final class OcrEngineFactory implements AutoCloseable {

    private final List<OnnxModel> models = new ArrayList<>();
    private final OcrEngine engine;
    private final PaddleReader paddle;

    public OcrEngineFactory(OcrProperties properties, ModelLoader loader) throws IOException, OrtException {
        try {
            OcrProperties.Paddle p = properties.paddle();
            paddle = p.enabled() ? paddle(p, loader) : null;
            OcrProperties.Tesseract t = properties.tesseract();
            TesseractReader tesseract = t.enabled() ? new TesseractReader(t.command(), t.timeout(), t.psm()) : null;
            engine = new OcrEngine(paddle, tesseract, properties.autoMinConfidence());
        } catch (IOException | OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public OcrEngine engine() {
        return engine;
    }

    /** The PaddleOCR reader, or {@code null} when disabled. */
    public PaddleReader paddle() {
        return paddle;
    }

    private PaddleReader paddle(OcrProperties.Paddle p, ModelLoader loader) throws IOException, OrtException {
        // the CPU provider, as OCR has always run: its small models gain little from a GPU the vision and llm
        // stages need; threads per session as configured (0 = ONNX Runtime's default, one per core)
        OnnxSessionFactory sessions = new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, p.threads()));
        OnnxModel det = open(sessions, loader, p.detector(), "det");
        var detector = new OnnxTextDetector(det, new DbPostProcessor(p.binaryThreshold(), p.boxThreshold(), p.unclipRatio(), p.dilate(), 3, 1000,
                p.isolatedUnclipRatio()),
                p.maxSideLength(), p.detectionPadding());
        OnnxOrientationClassifier classifier = null;
        if (p.classifier() != null) {
            classifier = new OnnxOrientationClassifier(open(sessions, loader, p.classifier(), "cls"), 0.9, 6,
                    p.classifyWindows());
        }
        List<TextRecognizer> recognizers = new ArrayList<>();
        for (OcrProperties.Recognizer r : p.recognizers()) {
            CharDictionary dictionary = CharDictionary.parse(loader.read(r.dictionary()));
            recognizers.add(new OnnxTextRecognizer(r.name(), new HashSet<>(r.languages()),
                    open(sessions, loader, r.model(), r.name()), dictionary, 6, p.recognitionMaxWidth()));
        }
        return new PaddleReader(detector, classifier, recognizers, p.minConfidence());
    }

    private OnnxModel open(OnnxSessionFactory sessions, ModelLoader loader, dev.ovis.serve.ocr.model.ModelFile file,
                           String name) throws IOException, OrtException {
        OnnxModel model = OnnxModel.open(sessions, loader.read(file), name);
        models.add(model);
        return model;
    }

    @Override
    public void close() {
        for (OnnxModel m : models) {
            try {
                m.close();
            } catch (OrtException e) {
                // closing is best effort at shutdown
            }
        }
    }
}
