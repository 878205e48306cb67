package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.List;

/**
 * A text box: four corners clockwise from top-left, in the pixel space of the image it was
 * found in.
 */
public record Quad(Point topLeft, Point topRight, Point bottomRight, Point bottomLeft) {

    public List<Point> points() {
        return List.of(topLeft, topRight, bottomRight, bottomLeft);
    }

    /** Length of the top edge or the bottom one, whichever is longer. */
    public double width() {
        return Math.max(distance(topLeft, topRight), distance(bottomLeft, bottomRight));
    }

    /** Length of the left edge or the right one, whichever is longer. */
    public double height() {
        return Math.max(distance(topLeft, bottomLeft), distance(topRight, bottomRight));
    }

    public double centerX() {
        return (topLeft.x() + topRight.x() + bottomRight.x() + bottomLeft.x()) / 4;
    }

    public double centerY() {
        return (topLeft.y() + topRight.y() + bottomRight.y() + bottomLeft.y()) / 4;
    }

    /** Angle of the top edge in radians (0 = horizontal, positive = clockwise on screen). */
    public double angle() {
        return Math.atan2(topRight.y() - topLeft.y(), topRight.x() - topLeft.x());
    }

    /** The same box with every coordinate multiplied and shifted: {@code x * sx + dx}. */
    public Quad transform(double sx, double sy, double dx, double dy, double maxX, double maxY) {
        return new Quad(map(topLeft, sx, sy, dx, dy, maxX, maxY), map(topRight, sx, sy, dx, dy, maxX, maxY),
                map(bottomRight, sx, sy, dx, dy, maxX, maxY), map(bottomLeft, sx, sy, dx, dy, maxX, maxY));
    }

    /**
     * Orders four corners of a (possibly rotated) rectangle the way PP-OCR does: the two
     * leftmost points give top-left and bottom-left, the two rightmost top-right and bottom-right.
     */
    public static Quad ordered(List<Point> corners) {
        Point[] p = corners.toArray(Point[]::new);
        java.util.Arrays.sort(p, (a, b) -> Double.compare(a.x(), b.x()));
        Point tl = p[0].y() <= p[1].y() ? p[0] : p[1];
        Point bl = p[0].y() <= p[1].y() ? p[1] : p[0];
        Point tr = p[2].y() <= p[3].y() ? p[2] : p[3];
        Point br = p[2].y() <= p[3].y() ? p[3] : p[2];
        return new Quad(tl, tr, br, bl);
    }

    private static Point map(Point p, double sx, double sy, double dx, double dy, double maxX, double maxY) {
        double x = Math.min(Math.max(p.x() * sx + dx, 0), maxX);
        double y = Math.min(Math.max(p.y() * sy + dy, 0), maxY);
        return new Point(x, y);
    }

    static double distance(Point a, Point b) {
        return Math.hypot(a.x() - b.x(), a.y() - b.y());
    }
}
