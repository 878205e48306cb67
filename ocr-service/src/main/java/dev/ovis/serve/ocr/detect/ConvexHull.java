package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Convex hull of a point set by Andrew's monotone chain, counter-clockwise (in y-up terms). */
final class ConvexHull {

    private ConvexHull() {
    }

    static List<Point> of(List<Point> points) {
        Point[] p = points.toArray(Point[]::new);
        Arrays.sort(p, (a, b) -> a.x() != b.x() ? Double.compare(a.x(), b.x()) : Double.compare(a.y(), b.y()));
        if (p.length < 3) {
            return List.of(p);
        }
        Point[] hull = new Point[2 * p.length];
        int k = 0;
        for (Point point : p) {
            while (k >= 2 && cross(hull[k - 2], hull[k - 1], point) <= 0) {
                k--;
            }
            hull[k++] = point;
        }
        for (int i = p.length - 2, lower = k + 1; i >= 0; i--) {
            while (k >= lower && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) {
                k--;
            }
            hull[k++] = p[i];
        }
        List<Point> out = new ArrayList<>(k - 1);
        for (int i = 0; i < k - 1; i++) {
            out.add(hull[i]);
        }
        return out;
    }

    static double cross(Point o, Point a, Point b) {
        return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
    }

    /** Signed area (shoelace); the sign tells the orientation. */
    static double signedArea(List<Point> polygon) {
        double sum = 0;
        for (int i = 0, n = polygon.size(); i < n; i++) {
            Point a = polygon.get(i);
            Point b = polygon.get((i + 1) % n);
            sum += a.x() * b.y() - b.x() * a.y();
        }
        return sum / 2;
    }

    static double perimeter(List<Point> polygon) {
        double sum = 0;
        for (int i = 0, n = polygon.size(); i < n; i++) {
            sum += Quad.distance(polygon.get(i), polygon.get((i + 1) % n));
        }
        return sum;
    }
}
