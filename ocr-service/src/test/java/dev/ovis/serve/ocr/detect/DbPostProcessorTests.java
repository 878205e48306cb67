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
