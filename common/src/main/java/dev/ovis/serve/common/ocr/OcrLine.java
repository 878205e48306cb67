package dev.ovis.serve.common.ocr;

import java.util.List;

/**
 * One recognised line of text.
 *
 * @param text       the text
 * @param confidence mean character confidence in [0, 1]
 * @param box        four corners in original-image pixels, clockwise from top-left
 * @param engine     engine that read it ("paddle", "tesseract")
 * @param language   language or script model used
 */
public record OcrLine(String text, double confidence, List<Point> box, String engine, String language) {

    public OcrLine {
        box = List.copyOf(box);
        if (box.size() != 4) {
            throw new IllegalArgumentException("a box has four corners");
        }
    }
}
