package dev.ovis.serve.ocr.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DbPostProcessorTests {

    private static final int W = 200;
    private static final int H = 100;

    @Test
    void findsEachTextKernelAsAnUnclippedBox() {
        float[] map = new float[W * H];
        fill(map, 20, 10, 120, 20, 0.9f);
        fill(map, 20, 60, 80, 70, 0.8f);

        List<DbPostProcessor.ScoredBox> boxes = new DbPostProcessor(0.3, 0.5, 1.5, false, 3, 100).boxes(map, W, H);

        assertThat(boxes).hasSize(2);
        DbPostProcessor.ScoredBox top = boxes.stream().min(Comparator.comparingDouble(b -> b.quad().centerY())).orElseThrow();
        assertThat(top.score()).isCloseTo(0.9, within(0.01));
        assertThat(top.quad().centerX()).isCloseTo(69.5, within(0.6));
        assertThat(top.quad().height()).isGreaterThan(9 + 2 * 6.0); // grown by ~ area*1.5/perimeter on each side
    }

    @Test
    void dropsWeakAndTinyRegions() {
        float[] map = new float[W * H];
        fill(map, 20, 10, 120, 20, 0.4f);  // above the pixel threshold, below the box threshold
        fill(map, 150, 50, 152, 52, 0.9f); // 2 pixels wide: noise

        assertThat(new DbPostProcessor(0.3, 0.5, 1.5, false, 3, 100).boxes(map, W, H)).isEmpty();
    }

    @Test
    void anIsolatedLineGetsTheWiderMarginAndLinesCloseTogetherTheUsualOne() {
        // kernels 6 px high: one alone at the top, two 14 px apart (a dense paragraph) below
        float[] map = new float[W * H];
        fill(map, 20, 10, 180, 16, 0.9f);
        fill(map, 20, 50, 180, 56, 0.9f);
        fill(map, 20, 64, 180, 70, 0.9f);
        DbPostProcessor post = new DbPostProcessor(0.3, 0.5, 2.0, false, 3, 100, 3.0);

        List<DbPostProcessor.ScoredBox> boxes = post.boxes(map, W, H).stream()
                .sorted(Comparator.comparingDouble(b -> b.quad().centerY())).toList();

        assertThat(boxes).hasSize(3);
        // the kernels' pixel centres span 159 x 5: unclip distance = area * ratio / perimeter = 795 * r / 328,
        // 7.3 px at 3.0, 4.8 px at 2.0
        assertThat(boxes.get(0).quad().height()).isCloseTo(5 + 2 * 7.27, within(1.0));
        assertThat(boxes.get(1).quad().height()).isCloseTo(5 + 2 * 4.85, within(1.0));
        assertThat(boxes.get(2).quad().height()).isCloseTo(5 + 2 * 4.85, within(1.0));
        // without the isolated ratio every line gets the usual margin
        assertThat(new DbPostProcessor(0.3, 0.5, 2.0, false, 3, 100).boxes(map, W, H))
                .allSatisfy(b -> assertThat(b.quad().height()).isCloseTo(5 + 2 * 4.85, within(1.0)));
    }

    @Test
    void rotatedRectanglesOverlapOnlyWhenNoEdgeSeparatesThem() {
        List<dev.ovis.serve.common.ocr.Point> square = List.of(p(0, 0), p(10, 0), p(10, 10), p(0, 10));
        List<dev.ovis.serve.common.ocr.Point> diamondNear = List.of(p(15, 5), p(20, 0), p(25, 5), p(20, 10));
        List<dev.ovis.serve.common.ocr.Point> diamondTouching = List.of(p(8, 5), p(13, 0), p(18, 5), p(13, 10));
        // a diamond whose bounding box overlaps the square's corner region but whose edge stays clear of it
        List<dev.ovis.serve.common.ocr.Point> diamondCorner = List.of(p(9, 16), p(16, 9), p(23, 16), p(16, 23));

        assertThat(DbPostProcessor.overlap(square, diamondNear)).isFalse();
        assertThat(DbPostProcessor.overlap(square, diamondTouching)).isTrue();
        assertThat(DbPostProcessor.overlap(square, diamondCorner)).isFalse();
    }

    private static dev.ovis.serve.common.ocr.Point p(double x, double y) {
        return new dev.ovis.serve.common.ocr.Point(x, y);
    }

    @Test
    void dilationGrowsEachPixelRightAndDown() {
        boolean[] bitmap = new boolean[W * H];
        bitmap[5 * W + 5] = true;

        boolean[] dilated = DbPostProcessor.dilate(bitmap, W, H);

        assertThat(dilated[5 * W + 6]).isTrue();
        assertThat(dilated[6 * W + 5]).isTrue();
        assertThat(dilated[6 * W + 6]).isTrue();
        assertThat(dilated[4 * W + 5]).isFalse();
    }

    private static void fill(float[] map, int x0, int y0, int x1, int y1, float v) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                map[y * W + x] = v;
            }
        }
    }
}
