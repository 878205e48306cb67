package dev.ovis.serve.video.keyframe;

/**
 * The multi-Gaussian kernel of MDP3: {@code K(x, y) = Σ_α exp(−‖x − y‖² / 2α)} with
 * α ∈ {1/8, 1/4, 1/2, 1, 2} (an unweighted sum, so K(x, x) = 5). The squared distance is summed from
 * coordinate differences (not from dot products, which cancel badly for close frames) and the terms
 * are added in ascending α, as the reference does, so double-precision results agree with it to a
 * few ulps. K is exactly symmetric.
 */
public final class MultiGaussianKernel {

    /** The reference bandwidths 2⁻³ … 2¹. */
    public static final double[] ALPHAS = {0.125, 0.25, 0.5, 1.0, 2.0};

    private final double[] twoAlphas;

    public MultiGaussianKernel() {
        this(ALPHAS);
    }

    public MultiGaussianKernel(double[] alphas) {
        if (alphas.length == 0) {
            throw new IllegalArgumentException("at least one bandwidth");
        }
        this.twoAlphas = new double[alphas.length];
        for (int i = 0; i < alphas.length; i++) {
            if (!(alphas[i] > 0)) {
                throw new IllegalArgumentException("bandwidths must be positive: " + alphas[i]);
            }
            twoAlphas[i] = 2 * alphas[i];
        }
    }

    /** K(x, y). */
    public double apply(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("dimension mismatch: " + x.length + " vs " + y.length);
        }
        // four partial sums (the JIT keeps them in registers and pipelines them); the reference's
        // own reduction order is unspecified too, and the golden selections do not depend on it
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (int end = x.length - 3; i < end; i += 4) {
            double d0 = x[i] - y[i];
            double d1 = x[i + 1] - y[i + 1];
            double d2 = x[i + 2] - y[i + 2];
            double d3 = x[i + 3] - y[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < x.length; i++) {
            double d = x[i] - y[i];
            s0 += d * d;
        }
        return ofSquaredDistance((s0 + s1) + (s2 + s3));
    }

    /** K for a given squared distance. */
    public double ofSquaredDistance(double d2) {
        double sum = 0;
        for (double twoAlpha : twoAlphas) {
            sum += Math.exp(-d2 / twoAlpha);
        }
        return sum;
    }

    /** K(x, x): the kernel's diagonal (the number of bandwidths). */
    public double self() {
        return ofSquaredDistance(0);
    }
}
