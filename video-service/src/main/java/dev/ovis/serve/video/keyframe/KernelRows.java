package dev.ovis.serve.video.keyframe;

/**
 * The kernel among one segment's candidates, computed a row at a time when first needed. Greedy
 * selection only ever reads the rows of the frames it picks (and the diagonal, a constant), so a
 * selection of k from m frames costs k·m kernel evaluations instead of m²/2 — with
 * 1152-dimensional SigLIP vectors that is most of the work.
 */
final class KernelRows {

    private final MultiGaussianKernel kernel;
    private final double[][] frames;
    private final int from;
    private final double[][] rows;
    private final double self;

    KernelRows(MultiGaussianKernel kernel, double[][] frames, int from, int to) {
        this.kernel = kernel;
        this.frames = frames;
        this.from = from;
        this.rows = new double[to - from][];
        this.self = kernel.self();
    }

    /** Candidates in the segment. */
    int size() {
        return rows.length;
    }

    /** K(f, f), the same for every frame. */
    double self() {
        return self;
    }

    /** K between segment candidate {@code i} and every candidate of the segment. */
    double[] row(int i) {
        double[] row = rows[i];
        if (row == null) {
            row = new double[rows.length];
            for (int j = 0; j < rows.length; j++) {
                double[] cached = rows[j];
                row[j] = j == i ? self : cached != null ? cached[i] : kernel.apply(frames[from + i], frames[from + j]);
            }
            rows[i] = row;
        }
        return row;
    }

    /** K between an outside frame (the conditioning one) and every candidate of the segment. */
    double[] rowOf(int frame) {
        double[] row = new double[rows.length];
        for (int j = 0; j < rows.length; j++) {
            row[j] = kernel.apply(frames[frame], frames[from + j]);
        }
        return row;
    }
}
