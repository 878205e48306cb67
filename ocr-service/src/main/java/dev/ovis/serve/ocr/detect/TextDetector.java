package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.ocr.image.RgbImage;
import java.util.List;

/** Finds text lines in an image. */
public interface TextDetector {

    /** Boxes of text in {@code image}'s pixel space, in no particular order. */
    List<DbPostProcessor.ScoredBox> detect(RgbImage image) throws ai.onnxruntime.OrtException;
}
