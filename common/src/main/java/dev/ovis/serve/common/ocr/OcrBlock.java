package dev.ovis.serve.common.ocr;

import java.util.List;

/**
 * Lines that belong together (a paragraph or a column), in reading order.
 *
 * @param lines the lines, top to bottom
 */
public record OcrBlock(List<OcrLine> lines) {

    public OcrBlock {
        lines = List.copyOf(lines);
    }
}
