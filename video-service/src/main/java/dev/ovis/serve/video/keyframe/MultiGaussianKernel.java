package dev.ovis.serve.video.keyframe;

/**
 * The multi-Gaussian kernel of MDP3: {@code K(x, y) = Σ_α exp(−‖x − y‖² / 2α)} with
 * α ∈ {1/8, 1/4, 1/2, 1, 2} (an unweighted sum, so K(x, x) = 5). The squared distance is summed from
 * coordinate differences (not from dot products) and the terms are added in ascending α, as the
 * reference does, so double-precision results agree with it to the last few ulps.
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
        double d2 = 0;
        for (int i = 0; i < x.length; i++) {
            double diff = x[i] - y[i];
            d2 += diff * diff;
        }
        return ofSquaredDistance(d2);
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
