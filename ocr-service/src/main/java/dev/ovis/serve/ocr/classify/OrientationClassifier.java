package dev.ovis.serve.ocr.classify;

import dev.ovis.serve.ocr.image.RgbImage;
import java.util.List;

/** Tells which text-line crops are upside down. */
public interface OrientationClassifier {

    /** For each crop, whether it is turned by 180°. */
    boolean[] classify(List<RgbImage> crops) throws ai.onnxruntime.OrtException;
}
