package dev.ovis.serve.ocr.image;

import dev.ovis.serve.common.ocr.Point;
import java.util.List;

/**
 * Cuts a quadrilateral out of an image and rectifies it to an upright rectangle by a perspective
 * transform with bilinear sampling (what PP-OCR does with OpenCV's {@code warpPerspective}).
 */
public final class PerspectiveCrop {

    private PerspectiveCrop() {
    }

    /**
     * The rectified crop of {@code quad} (clockwise from top-left) at {@code width x height}.
     */
    public static RgbImage crop(RgbImage image, List<Point> quad, int width, int height) {
        double[] h = homography(new double[] {0, 0, width, 0, width, height, 0, height},
                new double[] {quad.get(0).x(), quad.get(0).y(), quad.get(1).x(), quad.get(1).y(),
                        quad.get(2).x(), quad.get(2).y(), quad.get(3).x(), quad.get(3).y()});
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double w = h[6] * x + h[7] * y + 1;
                double sx = (h[0] * x + h[1] * y + h[2]) / w;
                double sy = (h[3] * x + h[4] * y + h[5]) / w;
                out[y * width + x] = bilinear(image, sx, sy);
            }
        }
        return new RgbImage(width, height, out);
    }

    /** The 3x3 homography (h33 = 1) mapping {@code from} points onto {@code to} points. */
    static double[] homography(double[] from, double[] to) {
        double[][] a = new double[8][9];
        for (int i = 0; i < 4; i++) {
            double x = from[2 * i], y = from[2 * i + 1], u = to[2 * i], v = to[2 * i + 1];
            a[2 * i] = new double[] {x, y, 1, 0, 0, 0, -u * x, -u * y, u};
            a[2 * i + 1] = new double[] {0, 0, 0, x, y, 1, -v * x, -v * y, v};
        }
        for (int col = 0; col < 8; col++) {
            int pivot = col;
            for (int r = col + 1; r < 8; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double p = a[col][col];
            if (Math.abs(p) < 1e-12) {
                throw new IllegalArgumentException("degenerate quadrilateral");
            }
            for (int c = col; c < 9; c++) {
                a[col][c] /= p;
            }
            for (int r = 0; r < 8; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col];
                    for (int c = col; c < 9; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[] h = new double[8];
        for (int i = 0; i < 8; i++) {
            h[i] = a[i][8];
        }
        return h;
    }

    private static int bilinear(RgbImage image, double x, double y) {
        int w = image.width(), hgt = image.height();
        x = Math.min(Math.max(x, 0), w - 1);
        y = Math.min(Math.max(y, 0), hgt - 1);
        int x0 = (int) x, y0 = (int) y;
        int x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, hgt - 1);
        double fx = x - x0, fy = y - y0;
        int p00 = image.at(x0, y0), p10 = image.at(x1, y0), p01 = image.at(x0, y1), p11 = image.at(x1, y1);
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double top = ((p00 >> shift) & 0xff) * (1 - fx) + ((p10 >> shift) & 0xff) * fx;
            double bottom = ((p01 >> shift) & 0xff) * (1 - fx) + ((p11 >> shift) & 0xff) * fx;
            rgb |= ((int) Math.round(top * (1 - fy) + bottom * fy)) << shift;
        }
        return rgb;
    }
}
