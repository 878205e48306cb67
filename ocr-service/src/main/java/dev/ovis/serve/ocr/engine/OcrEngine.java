package dev.ovis.serve.ocr.engine;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.ocr.OcrBlock;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.paddle.PaddleReader;
import dev.ovis.serve.ocr.page.OcrException;
import dev.ovis.serve.ocr.page.PageReader;
import dev.ovis.serve.ocr.tesseract.TesseractLanguages;
import dev.ovis.serve.ocr.tesseract.TesseractReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OCR façade: picks the engine for a request and puts the lines in reading order.
 * <ul>
 * <li>an engine named in the request is used as asked;</li>
 * <li>languages given: PaddleOCR when one of its recognizers reads them all, else Tesseract;</li>
 * <li>no languages: PaddleOCR first; when it finds nothing or reads with low confidence,
 *     Tesseract's script detection picks a language PaddleOCR lacks and Tesseract reads it
 *     (kept only when Tesseract is at least as confident as PaddleOCR was).</li>
 * </ul>
 */
public final class OcrEngine {

    private final PaddleReader paddle;
    private final TesseractReader tesseract;
    private final double autoMinConfidence;

    /** Either engine may be {@code null} (disabled). */
    public OcrEngine(PaddleReader paddle, TesseractReader tesseract, double autoMinConfidence) {
        if (paddle == null && tesseract == null) {
            throw new IllegalArgumentException("at least one OCR engine must be enabled");
        }
        this.paddle = paddle;
        this.tesseract = tesseract;
        this.autoMinConfidence = autoMinConfidence;
    }

    public OcrResult read(RgbImage image, List<String> languages, String engine) throws OcrException {
        List<String> langs = languages.stream().map(l -> l.strip().toLowerCase(Locale.ROOT)).distinct().toList();
        List<OcrLine> lines = engine != null && !engine.isBlank() ? forced(engine, image, langs) : chosen(image, langs);
        List<OcrBlock> blocks = ReadingOrder.blocks(lines);
        return new OcrResult(image.width(), image.height(), blocks, ReadingOrder.text(blocks));
    }

    private List<OcrLine> forced(String engine, RgbImage image, List<String> langs) throws OcrException {
        PageReader reader = switch (engine.toLowerCase(Locale.ROOT)) {
            case "paddle" -> paddle;
            case "tesseract" -> tesseract;
            default -> throw new OcrException(ErrorCode.INVALID_REQUEST,
                    "unknown OCR engine '" + engine + "' (paddle, tesseract)");
        };
        if (reader == null) {
            throw new OcrException(ErrorCode.UNSUPPORTED_JOB, "OCR engine '" + engine + "' is disabled here");
        }
        return reader.read(image, langs);
    }

    private List<OcrLine> chosen(RgbImage image, List<String> langs) throws OcrException {
        if (!langs.isEmpty()) {
            if (paddle != null && paddle.supports(langs)) {
                return paddle.read(image, langs);
            }
            if (tesseract != null) {
                return tesseract.read(image, langs);
            }
            throw new OcrException(ErrorCode.LANGUAGE_UNAVAILABLE, "no enabled OCR engine reads " + langs
                    + "; enable Tesseract (ovis.ocr.tesseract.enabled) and install "
                    + langs.stream().map(l -> TesseractLanguages.debianPackage(TesseractLanguages.tesseractCode(l))).toList());
        }
        if (paddle == null) {
            return tesseract.read(image, detected(image));
        }
        List<OcrLine> lines = paddle.read(image, List.of());
        if (tesseract == null || (!lines.isEmpty() && meanConfidence(lines) >= autoMinConfidence)) {
            return lines;
        }
        List<String> detected = detected(image);
        if (detected.isEmpty() || paddle.supports(detected) || !tesseract.supports(detected)) {
            return lines;
        }
        List<OcrLine> other = tesseract.read(image, detected);
        // OSD can be wrong on a few glyphs; keep Paddle's reading unless Tesseract is at least as sure
        return other.isEmpty() || (!lines.isEmpty() && meanConfidence(other) < meanConfidence(lines)) ? lines : other;
    }

    /** The language of the script Tesseract's OSD sees (plus English for mixed text), or none. */
    private List<String> detected(RgbImage image) throws OcrException {
        String script = tesseract.detectScript(image);
        String iso = script == null ? null : TesseractLanguages.forScript(script);
        if (iso == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(List.of(iso));
        if (!iso.equals("en")) {
            out.add("en");
        }
        return out;
    }

    private static double meanConfidence(List<OcrLine> lines) {
        return lines.stream().mapToDouble(OcrLine::confidence).average().orElse(0);
    }
}
