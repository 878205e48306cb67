package dev.ovis.serve.common.ocr;

import dev.ovis.serve.common.media.MediaRef;
import java.util.List;
import java.util.Objects;

/**
 * An OCR job's work.
 *
 * @param media     the image
 * @param languages ISO 639-1 codes wanted ("en", "zh", "ja" …); empty = detect
 * @param engine    engine name to force ("paddle", "tesseract"), or {@code null} = choose by language
 */
public record OcrTask(MediaRef media, List<String> languages, String engine) {

    public OcrTask {
        Objects.requireNonNull(media, "media");
        languages = languages == null ? List.of() : List.copyOf(languages);
    }
}
