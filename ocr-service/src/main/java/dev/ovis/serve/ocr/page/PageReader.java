package dev.ovis.serve.ocr.page;

import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.ocr.image.RgbImage;
import java.util.List;

/** One OCR engine: reads the lines of a page in some languages (ISO 639-1 codes). */
public interface PageReader {

    /** Engine name in results: {@code paddle}, {@code tesseract}. */
    String name();

    /** Whether this engine reads every one of {@code languages}. */
    boolean supports(List<String> languages);

    /** The lines of {@code image} (any order), each naming the engine and language that read it. */
    List<OcrLine> read(RgbImage image, List<String> languages) throws OcrException;
}
