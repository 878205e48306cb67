package dev.ovis.serve.common.ocr;

import java.util.List;

/**
 * The text of an image.
 *
 * @param width  image width in pixels
 * @param height image height in pixels
 * @param blocks blocks in reading order
 * @param text   the full text: lines joined by newlines, blocks by blank lines
 */
public record OcrResult(int width, int height, List<OcrBlock> blocks, String text) {

    public OcrResult {
        blocks = List.copyOf(blocks);
    }
}
