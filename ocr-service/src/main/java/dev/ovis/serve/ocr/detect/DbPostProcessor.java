package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a DB probability map into text boxes: binarise at {@code threshold} (optionally
 * dilate), find connected
 * regions (8-connectivity, the outer border of each region stands in for its contour), fit a
 * minimum-area rectangle to each, drop those whose mean probability is below
 * {@code boxThreshold}, unclip (offset outwards) and fit again.
 *
 * @param threshold     binarisation threshold on the probability map
 * @param boxThreshold  minimum mean probability inside a box
 * @param unclipRatio   how far boxes grow: {@code area * ratio / perimeter}
 * @param dilate        grow the binary map by one pixel (2x2) before finding regions: with it
 *                      and a larger unclip ratio, boxes keep the space between words (docs/ocr.md)
 * @param minSize       boxes with a shorter side (before unclip) are noise
 * @param maxCandidates the most regions considered (largest first)
 * @param isolatedUnclipRatio a larger unclip ratio for a line whose box, grown by it, would not
 *                      overlap another line's text (the other kernel grown by 1.5): large, isolated
 *                      text (signs) reads with its spaces when the crop has more margin, while lines
 *                      of a dense page keep {@code unclipRatio} and do not take in their neighbours;
 *                      0 (or not above {@code unclipRatio}) = off
 */
public record DbPostProcessor(double threshold, double boxThreshold, double unclipRatio, boolean dilate, int minSize,
        int maxCandidates, double isolatedUnclipRatio) {

    public DbPostProcessor(double threshold, double boxThreshold, double unclipRatio, boolean dilate, int minSize,
            int maxCandidates) {
        this(threshold, boxThreshold, unclipRatio, dilate, minSize, maxCandidates, 0);
    }

    /** A box in map pixels with its mean probability. */
    public record ScoredBox(Quad quad, double score) {
    }

    public List<ScoredBox> boxes(float[] probability, int width, int height) {
        boolean[] bitmap = new boolean[probability.length];
        for (int i = 0; i < probability.length; i++) {
            bitmap[i] = probability[i] > threshold;
        }
        if (dilate) {
            bitmap = dilate(bitmap, width, height);
        }
        List<List<Point>> regions = new ConnectedRegions(bitmap, width, height).borders();
        regions.sort((a, b) -> Integer.compare(b.size(), a.size()));
        List<MinAreaRect> kernels = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (List<Point> border : regions.subList(0, Math.min(regions.size(), maxCandidates))) {
            MinAreaRect rect = MinAreaRect.of(border);
            if (rect.shortSide() < minSize) {
                continue;
            }
            double score = meanInside(probability, width, height, rect.corners());
            if (score < boxThreshold) {
                continue;
            }
            kernels.add(rect);
            scores.add(score);
        }
        List<MinAreaRect> texts = new ArrayList<>();
        if (isolatedUnclipRatio > unclipRatio) {
            for (MinAreaRect k : kernels) {
                texts.add(grow(ConvexHull.of(k.corners()), 1.5));
            }
        }
        List<ScoredBox> out = new ArrayList<>();
        for (int i = 0; i < kernels.size(); i++) {
            List<Point> hull = ConvexHull.of(kernels.get(i).corners());
            MinAreaRect grown = null;
            if (isolatedUnclipRatio > unclipRatio) {
                MinAreaRect wide = grow(hull, isolatedUnclipRatio);
                if (!reachesAnother(wide, texts, i)) {
                    grown = wide;
                }
            }
            if (grown == null) {
                grown = grow(hull, unclipRatio);
            }
            if (grown.shortSide() < minSize + 2) {
                continue;
            }
            out.add(new ScoredBox(Quad.ordered(grown.corners()), scores.get(i)));
        }
        return out;
    }

    private static MinAreaRect grow(List<Point> hull, double ratio) {
        return MinAreaRect.of(PolygonOffset.offset(hull, PolygonOffset.unclipDistance(hull, ratio)));
    }

    /**
     * Whether the grown box would take in part of another text line: whether it overlaps the
     * other kernel grown by 1.5 (DB shrinks text by that much in training, so that is where the
     * other line's glyphs are). Both are rectangles: separating-axis test on their edge normals.
     */
    static boolean reachesAnother(MinAreaRect grown, List<MinAreaRect> texts, int self) {
        double[] box = bounds(grown.corners());
        for (int j = 0; j < texts.size(); j++) {
            if (j == self) {
                continue;
            }
            double[] other = bounds(texts.get(j).corners());
            boolean near = other[0] < box[2] && box[0] < other[2] && other[1] < box[3] && box[1] < other[3];
            if (near && overlap(grown.corners(), texts.get(j).corners())) {
                return true;
            }
        }
        return false;
    }

    /** {minX, minY, maxX, maxY}. */
    private static double[] bounds(List<Point> points) {
        double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (Point p : points) {
            b[0] = Math.min(b[0], p.x());
            b[1] = Math.min(b[1], p.y());
            b[2] = Math.max(b[2], p.x());
            b[3] = Math.max(b[3], p.y());
        }
        return b;
    }

    /** Two convex quadrilaterals (corners in order around each) overlap unless an edge normal separates them. */
    static boolean overlap(List<Point> a, List<Point> b) {
        return !separated(a, a, b) && !separated(b, a, b);
    }

    private static boolean separated(List<Point> edges, List<Point> a, List<Point> b) {
        for (int i = 0; i < edges.size(); i++) {
            Point p = edges.get(i);
            Point q = edges.get((i + 1) % edges.size());
            double nx = q.y() - p.y(), ny = p.x() - q.x();
            double aMin = Double.MAX_VALUE, aMax = -Double.MAX_VALUE, bMin = Double.MAX_VALUE, bMax = -Double.MAX_VALUE;
            for (Point r : a) {
                double v = r.x() * nx + r.y() * ny;
                aMin = Math.min(aMin, v);
                aMax = Math.max(aMax, v);
            }
            for (Point r : b) {
                double v = r.x() * nx + r.y() * ny;
                bMin = Math.min(bMin, v);
                bMax = Math.max(bMax, v);
            }
            if (aMax <= bMin || bMax <= aMin) {
                return true;
            }
        }
        return false;
    }

    /** 2x2 dilation: a pixel is set when it or its left, upper or upper-left neighbour is. */
    static boolean[] dilate(boolean[] bitmap, int width, int height) {
        boolean[] out = new boolean[bitmap.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                out[i] = bitmap[i] || (x > 0 && bitmap[i - 1]) || (y > 0 && bitmap[i - width])
                        || (x > 0 && y > 0 && bitmap[i - width - 1]);
            }
        }
        return out;
    }

    /** Mean of the map over the pixels whose centre lies inside the convex quadrilateral. */
    static double meanInside(float[] map, int width, int height, List<Point> corners) {
        List<Point> hull = ConvexHull.of(corners);
        double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Point p : hull) {
            minX = Math.min(minX, p.x());
            minY = Math.min(minY, p.y());
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
        }
        int x0 = clamp((int) Math.floor(minX), width), x1 = clamp((int) Math.ceil(maxX), width);
        int y0 = clamp((int) Math.floor(minY), height), y1 = clamp((int) Math.ceil(maxY), height);
        double sum = 0;
        int count = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (hull.size() < 3 || inside(hull, x, y)) {
                    sum += map[y * width + x];
                    count++;
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    private static boolean inside(List<Point> convexCcw, double x, double y) {
        int n = convexCcw.size();
        for (int i = 0; i < n; i++) {
            Point a = convexCcw.get(i);
            Point b = convexCcw.get((i + 1) % n);
            if ((b.x() - a.x()) * (y - a.y()) - (b.y() - a.y()) * (x - a.x()) < -1e-9) {
                return false;
            }
        }
        return true;
    }

    private static int clamp(int v, int size) {
        return Math.min(Math.max(v, 0), size - 1);
    }
}
