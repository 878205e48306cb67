package dev.ovis.serve.ocr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.ocr.OcrBlock;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadingOrderTests {

    @Test
    void twoColumnsAreReadColumnByColumnUnderAFullWidthTitle() {
        List<OcrLine> lines = new ArrayList<>();
        lines.add(line("Title", 20, 10, 580, 40));
        for (int i = 0; i < 4; i++) {
            lines.add(line("left " + i, 20, 100 + 30 * i, 280, 120 + 30 * i));
            lines.add(line("right " + i, 320, 100 + 30 * i, 580, 120 + 30 * i));
        }
        Collections.shuffle(lines, new java.util.Random(7));

        List<OcrBlock> blocks = ReadingOrder.blocks(lines);

        assertThat(texts(blocks)).containsExactly("Title", "left 0", "left 1", "left 2", "left 3", "right 0", "right 1",
                "right 2", "right 3");
        assertThat(blocks).hasSize(3);
    }

    @Test
    void aReceiptKeepsLabelAndPriceOnOneRow() {
        List<OcrLine> lines = List.of(line("Milk", 20, 10, 80, 30), line("1.20", 300, 10, 350, 30),
                line("Bread wholemeal", 20, 40, 200, 60), line("2.50", 300, 40, 350, 60),
                line("Eggs", 20, 70, 70, 90), line("3.10", 300, 70, 350, 90));

        List<OcrBlock> blocks = ReadingOrder.blocks(lines);

        assertThat(ReadingOrder.text(blocks)).isEqualTo("Milk 1.20\nBread wholemeal 2.50\nEggs 3.10");
    }

    @Test
    void aSkewedPageOrdersLikeAStraightOne() {
        double angle = Math.toRadians(6);
        List<OcrLine> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lines.add(rotated("line " + i, 20, 10 + 30 * i, 500, 30 + 30 * i, angle));
        }

        List<OcrBlock> blocks = ReadingOrder.blocks(lines);

        assertThat(ReadingOrder.skew(lines)).isCloseTo(angle, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(ReadingOrder.text(blocks)).isEqualTo("line 0\nline 1\nline 2\nline 3");
    }

    @Test
    void paragraphsSeparatedByABlankLineAreBlocks() {
        List<OcrLine> lines = List.of(line("one", 20, 10, 300, 30), line("two", 20, 38, 300, 58),
                line("three", 20, 120, 300, 140));

        assertThat(ReadingOrder.text(ReadingOrder.blocks(lines))).isEqualTo("one\ntwo\n\nthree");
    }

    private static List<String> texts(List<OcrBlock> blocks) {
        return blocks.stream().flatMap(b -> b.lines().stream()).map(OcrLine::text).toList();
    }

    private static OcrLine line(String text, double x0, double y0, double x1, double y1) {
        return new OcrLine(text, 0.9, List.of(new Point(x0, y0), new Point(x1, y0), new Point(x1, y1), new Point(x0, y1)),
                "paddle", "en");
    }

    private static OcrLine rotated(String text, double x0, double y0, double x1, double y1, double a) {
        List<Point> box = new ArrayList<>();
        for (Point p : line(text, x0, y0, x1, y1).box()) {
            box.add(new Point(p.x() * Math.cos(a) - p.y() * Math.sin(a), p.x() * Math.sin(a) + p.y() * Math.cos(a)));
        }
        return new OcrLine(text, 0.9, box, "paddle", "en");
    }
}
