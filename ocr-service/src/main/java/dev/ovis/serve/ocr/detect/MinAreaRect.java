package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.List;

/**
 * The minimum-area enclosing rectangle of a point set, by rotating calipers over its convex
 * hull: the optimal rectangle has one side collinear with a hull edge, so trying every edge
 * direction is exact.
 *
 * @param corners the four corners (unordered around the rectangle)
 * @param width   length of the side along the chosen hull edge
 * @param height  length of the other side
 */
record MinAreaRect(List<Point> corners, double width, double height) {

    double shortSide() {
        return Math.min(width, height);
    }

    static MinAreaRect of(List<Point> points) {
        List<Point> hull = ConvexHull.of(points);
        if (hull.size() < 3) {
            return degenerate(hull.isEmpty() ? points : hull);
        }
        double bestArea = Double.MAX_VALUE;
        MinAreaRect best = null;
        int n = hull.size();
        for (int i = 0; i < n; i++) {
            Point a = hull.get(i);
            Point b = hull.get((i + 1) % n);
            double len = Quad.distance(a, b);
            if (len == 0) {
                continue;
            }
            double ux = (b.x() - a.x()) / len;
            double uy = (b.y() - a.y()) / len;
            double minU = Double.MAX_VALUE, maxU = -Double.MAX_VALUE, minV = Double.MAX_VALUE, maxV = -Double.MAX_VALUE;
            for (Point p : hull) {
                double dx = p.x() - a.x();
                double dy = p.y() - a.y();
                double u = dx * ux + dy * uy;
                double v = -dx * uy + dy * ux;
                minU = Math.min(minU, u);
                maxU = Math.max(maxU, u);
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
            }
            double area = (maxU - minU) * (maxV - minV);
            if (area < bestArea) {
                bestArea = area;
                best = new MinAreaRect(List.of(
                        toXy(a, ux, uy, minU, minV), toXy(a, ux, uy, maxU, minV),
                        toXy(a, ux, uy, maxU, maxV), toXy(a, ux, uy, minU, maxV)),
                        maxU - minU, maxV - minV);
            }
        }
        return best;
    }

    private static Point toXy(Point origin, double ux, double uy, double u, double v) {
        return new Point(origin.x() + u * ux - v * uy, origin.y() + u * uy + v * ux);
    }

    private static MinAreaRect degenerate(List<Point> points) {
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Point p : points) {
            minX = Math.min(minX, p.x());
            minY = Math.min(minY, p.y());
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
        }
        return new MinAreaRect(List.of(new Point(minX, minY), new Point(maxX, minY), new Point(maxX, maxY),
                new Point(minX, maxY)), maxX - minX, maxY - minY);
    }
}
