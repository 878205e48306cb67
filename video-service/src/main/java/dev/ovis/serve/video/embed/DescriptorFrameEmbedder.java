package dev.ovis.serve.video.embed;

import dev.ovis.serve.video.decode.RgbFrame;
import java.util.List;

/**
 * The model-free default: a compact hand-made descriptor per frame — an 8×8 colour layout (mean
 * RGB per cell) and a 4×4-cell histogram of gradient orientations (8 unsigned bins, weighted by
 * gradient magnitude), each block L2-normalised (the gradient block with a floor, so that noise on
 * a flat frame does not look like structure). The descriptors of one video are then centred on
 * their mean and L2-normalised, so that the differences between its shots use the kernel's range.
 *
 * <p>It knows nothing about text: {@link #embedQuery} returns {@code null} and MDP3 runs with
 * constant relevance, i.e. it picks frames for coverage and diversity of colour and structure —
 * scene changes, not semantics. Needs nothing to download.
 */
public final class DescriptorFrameEmbedder implements FrameEmbedder {

    static final int LAYOUT = 8;
    static final int CELLS = 4;
    static final int BINS = 8;
    /** Gradients are taken on a grid of at most this many samples along the longer side. */
    private static final int GRADIENT_SAMPLES = 128;
    /**
     * The gradient block is divided by max(its norm, this), in units of mean gradient per sample
     * (0–1): faint structure (sensor or compression noise on a flat shot) stays small instead of
     * being blown up to a unit vector.
     */
    private static final double GRADIENT_FLOOR = 0.1;

    @Override
    public String name() {
        return "descriptor";
    }

    @Override
    public double[][] embedFrames(List<RgbFrame> frames) {
        int dims = LAYOUT * LAYOUT * 3 + CELLS * CELLS * BINS;
        double[][] out = new double[frames.size()][];
        double[] mean = new double[dims];
        for (int i = 0; i < out.length; i++) {
            out[i] = describe(frames.get(i));
            for (int d = 0; d < dims; d++) {
                mean[d] += out[i][d] / out.length;
            }
        }
        for (double[] vector : out) {
            for (int d = 0; d < dims; d++) {
                vector[d] -= mean[d];
            }
            normalise(vector, 0, dims, 0);
        }
        return out;
    }

    @Override
    public double[] embedQuery(String question) {
        return null;
    }

    /** The raw descriptor: colour layout then gradient histogram, each block of unit length. */
    static double[] describe(RgbFrame frame) {
        double[] vector = new double[LAYOUT * LAYOUT * 3 + CELLS * CELLS * BINS];
        colourLayout(frame, vector);
        gradientHistogram(frame, vector, LAYOUT * LAYOUT * 3);
        normalise(vector, 0, LAYOUT * LAYOUT * 3, 0);
        normalise(vector, LAYOUT * LAYOUT * 3, vector.length, GRADIENT_FLOOR);
        return vector;
    }

    private static void colourLayout(RgbFrame frame, double[] out) {
        int width = frame.width();
        int height = frame.height();
        byte[] rgb = frame.rgb();
        int[] cellOfX = new int[width];
        for (int x = 0; x < width; x++) {
            cellOfX[x] = x * LAYOUT / width;
        }
        long[] sums = new long[LAYOUT * LAYOUT * 3];
        int[] counts = new int[LAYOUT * LAYOUT];
        for (int y = 0; y < height; y++) {
            int rowCell = (y * LAYOUT / height) * LAYOUT;
            int p = y * width * 3;
            for (int x = 0; x < width; x++, p += 3) {
                int cell = rowCell + cellOfX[x];
                counts[cell]++;
                sums[cell * 3] += rgb[p] & 0xFF;
                sums[cell * 3 + 1] += rgb[p + 1] & 0xFF;
                sums[cell * 3 + 2] += rgb[p + 2] & 0xFF;
            }
        }
        for (int cell = 0; cell < counts.length; cell++) {
            for (int c = 0; c < 3; c++) {
                out[cell * 3 + c] = counts[cell] == 0 ? 0 : sums[cell * 3 + c] / (255.0 * counts[cell]) - 0.5;
            }
        }
    }

    private static void gradientHistogram(RgbFrame frame, double[] out, int offset) {
        int step = Math.max(1, Math.max(frame.width(), frame.height()) / GRADIENT_SAMPLES);
        int gw = (frame.width() - 1) / step + 1;
        int gh = (frame.height() - 1) / step + 1;
        double[] luma = new double[gw * gh];
        for (int gy = 0; gy < gh; gy++) {
            for (int gx = 0; gx < gw; gx++) {
                luma[gy * gw + gx] = luma(frame, gx * step, gy * step);
            }
        }
        int samples = Math.max(1, (gw - 2) * (gh - 2));
        for (int gy = 1; gy + 1 < gh; gy++) {
            int cellRow = (gy * step * CELLS / frame.height()) * CELLS;
            for (int gx = 1; gx + 1 < gw; gx++) {
                double dx = luma[gy * gw + gx + 1] - luma[gy * gw + gx - 1];
                double dy = luma[(gy + 1) * gw + gx] - luma[(gy - 1) * gw + gx];
                double magnitude = Math.hypot(dx, dy);
                if (magnitude == 0) {
                    continue;
                }
                double angle = Math.atan2(dy, dx);
                if (angle < 0) {
                    angle += Math.PI;
                }
                int bin = Math.min(BINS - 1, (int) (angle / Math.PI * BINS));
                int cell = cellRow + gx * step * CELLS / frame.width();
                out[offset + cell * BINS + bin] += magnitude / (255.0 * samples);
            }
        }
    }

    private static double luma(RgbFrame frame, int x, int y) {
        return 0.299 * frame.sample(x, y, 0) + 0.587 * frame.sample(x, y, 1) + 0.114 * frame.sample(x, y, 2);
    }

    /** Divides {@code vector[from, to)} by max(its norm, floor); a (near) zero block becomes zero. */
    static void normalise(double[] vector, int from, int to, double floor) {
        double norm = 0;
        for (int i = from; i < to; i++) {
            norm += vector[i] * vector[i];
        }
        if (norm < 1e-24) {
            java.util.Arrays.fill(vector, from, to, 0);
            return;
        }
        double scale = 1 / Math.max(Math.sqrt(norm), floor);
        for (int i = from; i < to; i++) {
            vector[i] *= scale;
        }
    }
}
