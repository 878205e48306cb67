package dev.ovis.serve.ocr.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeometryTests {

    @Test
    void convexHullDropsInteriorPoints() {
        List<Point> points = List.of(new Point(0, 0), new Point(4, 0), new Point(4, 4), new Point(0, 4), new Point(2, 2),
                new Point(1, 3));

        assertThat(ConvexHull.of(points)).hasSize(4).doesNotContain(new Point(2, 2), new Point(1, 3));
    }

    @Test
    void minAreaRectOfAnAxisAlignedRectangleIsItself() {
        MinAreaRect rect = MinAreaRect.of(grid(10, 20, 40, 8, 0));

        assertThat(Math.max(rect.width(), rect.height())).isCloseTo(39, within(1e-6));
        assertThat(rect.shortSide()).isCloseTo(7, within(1e-6));
    }

    @Test
    void minAreaRectFollowsARotatedRectangle() {
        MinAreaRect rect = MinAreaRect.of(grid(0, 0, 100, 10, Math.toRadians(30)));

        assertThat(Math.max(rect.width(), rect.height())).isCloseTo(99, within(0.01));
        assertThat(rect.shortSide()).isCloseTo(9, within(0.01));
        Quad quad = Quad.ordered(rect.corners());
        assertThat(Math.toDegrees(quad.angle())).isCloseTo(30, within(0.5));
    }

    @Test
    void unclipGrowsEverySideByTheDistance() {
        List<Point> rect = ConvexHull.of(List.of(new Point(0, 0), new Point(100, 0), new Point(100, 10), new Point(0, 10)));
        double d = PolygonOffset.unclipDistance(rect, 1.5);

        MinAreaRect grown = MinAreaRect.of(PolygonOffset.offset(rect, d));

        assertThat(d).isCloseTo(1000 * 1.5 / 220, within(1e-9));
        assertThat(grown.shortSide()).isCloseTo(10 + 2 * d, within(0.01));
        assertThat(Math.max(grown.width(), grown.height())).isCloseTo(100 + 2 * d, within(0.01));
    }

    @Test
    void quadOrderingStartsTopLeftClockwise() {
        Quad q = Quad.ordered(List.of(new Point(10, 5), new Point(0, 5), new Point(10, 0), new Point(0, 0)));

        assertThat(q.points()).containsExactly(new Point(0, 0), new Point(10, 0), new Point(10, 5), new Point(0, 5));
    }

    /** Pixel centres of a w x h block rotated by {@code angle} around its corner, shifted to (x, y). */
    private static List<Point> grid(double x, double y, int w, int h, double angle) {
        List<Point> out = new ArrayList<>();
        double c = Math.cos(angle), s = Math.sin(angle);
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                out.add(new Point(x + i * c - j * s, y + i * s + j * c));
            }
        }
        return out;
    }
}
