package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * Grows a convex polygon outwards by a distance with round joins — the "unclip" step of DB
 * post-processing (PP-OCR does it with Clipper's {@code JT_ROUND} offset): DB's probability map
 * covers a shrunk text kernel, so boxes are pushed out by {@code area * ratio / perimeter}.
 */
final class PolygonOffset {

    private static final int ARC_STEPS = 8;

    private PolygonOffset() {
    }

    /** The unclip distance DB uses for a polygon. */
    static double unclipDistance(List<Point> polygon, double ratio) {
        double perimeter = ConvexHull.perimeter(polygon);
        return perimeter == 0 ? 0 : Math.abs(ConvexHull.signedArea(polygon)) * ratio / perimeter;
    }

    /** The outline of a convex polygon offset by {@code distance}, arcs sampled at each corner. */
    static List<Point> offset(List<Point> convex, double distance) {
        int n = convex.size();
        double orientation = Math.signum(ConvexHull.signedArea(convex));
        if (orientation == 0) {
            orientation = 1;
        }
        List<Point> out = new ArrayList<>(n * (ARC_STEPS + 2));
        for (int i = 0; i < n; i++) {
            Point prev = convex.get((i + n - 1) % n);
            Point cur = convex.get(i);
            Point next = convex.get((i + 1) % n);
            double a0 = normalAngle(prev, cur, orientation);
            double a1 = normalAngle(cur, next, orientation);
            double sweep = a1 - a0;
            while (sweep > Math.PI) {
                sweep -= 2 * Math.PI;
            }
            while (sweep < -Math.PI) {
                sweep += 2 * Math.PI;
            }
            for (int s = 0; s <= ARC_STEPS; s++) {
                double a = a0 + sweep * s / ARC_STEPS;
                out.add(new Point(cur.x() + distance * Math.cos(a), cur.y() + distance * Math.sin(a)));
            }
        }
        return out;
    }

    /** Angle of the outward normal of edge a→b. */
    private static double normalAngle(Point a, Point b, double orientation) {
        double dx = b.x() - a.x();
        double dy = b.y() - a.y();
        // for a counter-clockwise polygon (positive area) the outward normal is (dy, -dx)
        return Math.atan2(-dx * orientation, dy * orientation);
    }
}
