package dev.ovis.serve.vision.preprocess;

import dev.ovis.serve.vision.image.RgbImage;

/**
 * Pillow 9.4's {@code resize(size, BICUBIC)} on 8-bit RGB, bit for bit (ovis2.md §13.1): separable,
 * horizontal pass first into an 8-bit intermediate, Keys cubic with a = −0.5 widened by the
 * downscale factor, taps renormalised at the borders, coefficients in 22-bit fixed point. The
 * arithmetic mirrors Pillow's {@code Resample.c} operation by operation (no FMA), because any
 * shortcut shows up as 1–187 level differences.
 */
public final class BicubicResampler {

    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private BicubicResampler() {
    }

    /**
     * Fixed-point filter taps of one resampling direction.
     *
     * @param bounds per output index: first input index, number of taps
     * @param k      {@code outSize × ksize} 22-bit coefficients
     * @param ksize  row length of {@code k}
     */
    record Coefficients(int[] bounds, int[] k, int ksize) {
    }

    static double cubic(double x) {
        double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for input {@code [0, inSize)}. */
    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) (float) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double v = cubic((x + xmin - center + 0.5) * ss);
                w[x] = v;
                ww += v;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(bounds, k, ksize);
    }

    /**
     * Resizes the region {@code box} of {@code src} to {@code outW × outH}, as Pillow does
     * {@code src.crop(box).resize((outW, outH), BICUBIC)}. Returns interleaved RGB bytes.
     */
    public static byte[] resize(RgbImage src, CropBox box, int outW, int outH) {
        int inW = box.width();
        int inH = box.height();
        int stride = src.width() * 3;
        byte[] pixels = src.pixels();
        boolean horizontal = outW != inW;
        boolean vertical = outH != inH;
        if (!horizontal && !vertical) {
            byte[] out = new byte[outW * outH * 3];
            for (int y = 0; y < outH; y++) {
                System.arraycopy(pixels, (box.upper() + y) * stride + box.left() * 3, out, y * outW * 3, outW * 3);
            }
            return out;
        }
        if (!vertical) {
            return horizontalPass(pixels, stride, box.left(), box.upper(), inH, coefficients(inW, outW), outW);
        }
        Coefficients vc = coefficients(inH, outH);
        if (!horizontal) {
            return verticalPass(pixels, stride, box.left() * 3, box.upper(), outW, vc, outH, 0);
        }
        // Like Pillow, run the horizontal pass only over the rows the vertical pass reads.
        int first = vc.bounds()[0];
        int last = vc.bounds()[outH * 2 - 2] + vc.bounds()[outH * 2 - 1];
        byte[] mid = horizontalPass(pixels, stride, box.left(), box.upper() + first, last - first, coefficients(inW, outW), outW);
        return verticalPass(mid, outW * 3, 0, 0, outW, vc, outH, first);
    }

    private static byte[] horizontalPass(byte[] src, int stride, int x0, int y0, int rows, Coefficients c, int outW) {
        byte[] out = new byte[rows * outW * 3];
        int[] bounds = c.bounds();
        int[] k = c.k();
        int ksize = c.ksize();
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowStart = (y0 + y) * stride + x0 * 3;
            int o = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = bounds[xx * 2];
                int n = bounds[xx * 2 + 1];
                int kk = xx * ksize;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int p = rowStart + xmin * 3;
                for (int x = 0; x < n; x++, p += 3) {
                    int coeff = k[kk + x];
                    s0 += (src[p] & 0xFF) * coeff;
                    s1 += (src[p + 1] & 0xFF) * coeff;
                    s2 += (src[p + 2] & 0xFF) * coeff;
                }
                out[o++] = clip8(s0);
                out[o++] = clip8(s1);
                out[o++] = clip8(s2);
            }
        }
        return out;
    }

    private static byte[] verticalPass(byte[] src, int stride, int xOffset, int y0, int width, Coefficients c, int outH,
                                       int boundsShift) {
        byte[] out = new byte[outH * width * 3];
        int[] bounds = c.bounds();
        int[] k = c.k();
        int ksize = c.ksize();
        int half = 1 << (PRECISION_BITS - 1);
        int rowBytes = width * 3;
        int[] acc = new int[rowBytes];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = bounds[yy * 2] - boundsShift;
            int n = bounds[yy * 2 + 1];
            java.util.Arrays.fill(acc, half);
            for (int y = 0; y < n; y++) {
                int coeff = k[yy * ksize + y];
                int rowStart = (y0 + ymin + y) * stride + xOffset;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (src[rowStart + i] & 0xFF) * coeff;
                }
            }
            int o = yy * rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    private static byte clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (in <= 0) {
            return 0;
        }
        return (byte) (in >> PRECISION_BITS);
    }
}
