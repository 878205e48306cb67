package dev.ovis.serve.ocr.recognize;

import dev.ovis.serve.ocr.image.RgbImage;
import java.util.List;
import java.util.Set;

/**
 * Reads the text of upright single-line crops. Each PaddleOCR recognition model (one per script)
 * is one recognizer; users add more by configuration (model + dictionary).
 */
public interface TextRecognizer {

    /** Name shown in results, e.g. {@code ppocr-v3-ch}. */
    String name();

    /** ISO 639-1 codes this model reads. */
    Set<String> languages();

    /** One result per crop, in order. */
    List<Recognition> recognize(List<RgbImage> crops) throws ai.onnxruntime.OrtException;
}
