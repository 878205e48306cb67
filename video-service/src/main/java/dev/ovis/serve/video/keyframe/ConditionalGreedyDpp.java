package dev.ovis.serve.video.keyframe;

import java.util.Arrays;

/**
 * Greedy MAP inference for MDP3's conditional DPP over one segment: repeatedly adds the candidate
 * that maximises {@code w·Σ log r + log det L} over the conditioning frame and the set so far, and
 * reports the score of every greedy prefix (size 0 … maxSelect).
 *
 * <p>The Cholesky factor of the chosen set grows by one row per pick. Instead of one triangular
 * solve per candidate and step (the reference's formulation) each candidate keeps its projection
 * onto the current factor and its residual variance, updated in O(n) when a frame is picked
 * (Chen et al., "Fast greedy MAP inference for DPPs", 2018): the same numbers, O(m·k) per step.
 *
 * <p>Ties go to the earliest candidate, as in the reference. A candidate whose residual variance is
 * numerically zero (a duplicate of the chosen span) scores −∞; when every remaining candidate is
 * such a duplicate (a still video) the pick falls back to the frame farthest in time from those
 * already chosen, and the prefix scores stay −∞ — the reference divides by zero there.
 */
final class ConditionalGreedyDpp {

    /** Residual variance below this fraction of the diagonal counts as a duplicate. */
    static final double DEGENERATE = 1e-12;

    /**
     * The greedy path.
     *
     * @param scores scores[j] = objective of the first j picks (scores[0] = 0, as in the reference,
     *               even with a conditioning frame; scores[j ≥ 1] include its terms)
     * @param order  picks in the order they were made, segment-relative indices
     */
    record Path(double[] scores, int[] order) {

        /** The first {@code size} picks, ascending. */
        int[] prefixSorted(int size) {
            int[] prefix = Arrays.copyOf(order, size);
            Arrays.sort(prefix);
            return prefix;
        }
    }

    private ConditionalGreedyDpp() {
    }

    /**
     * Runs the greedy selection.
     *
     * @param block          kernel among the segment's candidates (m × m, rows computed on demand)
     * @param logRelevance   log r of each candidate (m)
     * @param conditionRow   kernel of the conditioning frame against each candidate, or {@code null}
     * @param conditionSelf  kernel of the conditioning frame with itself
     * @param conditionLogRelevance log r of the conditioning frame
     * @param relevanceWeight the weight 2/λ of the relevance term
     * @param maxSelect      how many picks, {@code <= m}
     */
    static Path run(KernelRows block, double[] logRelevance, double[] conditionRow, double conditionSelf,
                    double conditionLogRelevance, double relevanceWeight, int maxSelect) {
        int m = block.size();
        double self = block.self();
        double[][] projection = new double[m][maxSelect + 1];
        double[] residual = new double[m];
        boolean[] taken = new boolean[m];
        int columns = 0;
        double relevanceSum = 0;
        double logDiagonalSum = 0;
        boolean conditioned = conditionRow != null;
        if (conditioned) {
            double pivot = Math.sqrt(conditionSelf);
            logDiagonalSum = Math.log(pivot);
            relevanceSum = conditionLogRelevance;
            for (int i = 0; i < m; i++) {
                double e = conditionRow[i] / pivot;
                projection[i][0] = e;
                residual[i] = self - e * e;
            }
            columns = 1;
        } else {
            for (int i = 0; i < m; i++) {
                residual[i] = self;
            }
        }
        double[] scores = new double[maxSelect + 1];
        int[] order = new int[maxSelect];
        boolean degenerate = false;
        for (int step = 0; step < maxSelect; step++) {
            int best = -1;
            double bestObjective = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                if (taken[i]) {
                    continue;
                }
                double objective = objective(self, residual[i], columns, relevanceWeight,
                        relevanceSum + logRelevance[i], logDiagonalSum);
                if (objective > bestObjective) {
                    bestObjective = objective;
                    best = i;
                }
            }
            if (best < 0) {
                best = farthestInTime(taken, order, step, conditioned);
                degenerate = true;
            }
            taken[best] = true;
            order[step] = best;
            if (!degenerate) {
                double pivot = Math.sqrt(Math.abs(residual[best]));
                double[] row = block.row(best);
                for (int i = 0; i < m; i++) {
                    if (!taken[i]) {
                        double dot = 0;
                        for (int c = 0; c < columns; c++) {
                            dot += projection[best][c] * projection[i][c];
                        }
                        double e = (row[i] - dot) / pivot;
                        projection[i][columns] = e;
                        residual[i] -= e * e;
                    }
                }
                columns++;
                logDiagonalSum += Math.log(pivot);
                relevanceSum += logRelevance[best];
            }
            scores[step + 1] = degenerate ? Double.NEGATIVE_INFINITY : bestObjective;
        }
        return new Path(scores, order);
    }

    private static double objective(double self, double residual, int columns, double weight,
                                    double relevanceSum, double logDiagonalSum) {
        if (columns == 0) {
            // first pick, nothing to condition on: log det of the 1×1 kernel
            return weight * relevanceSum + Math.log(self);
        }
        double variance = Math.abs(residual);
        if (variance <= DEGENERATE * self) {
            return Double.NEGATIVE_INFINITY;
        }
        return weight * relevanceSum + 2 * (logDiagonalSum + Math.log(Math.sqrt(variance)));
    }

    /** The untaken candidate farthest from every pick (and from the conditioning frame, just before the segment). */
    private static int farthestInTime(boolean[] taken, int[] order, int picks, boolean conditioned) {
        int best = -1;
        int bestGap = -1;
        for (int i = 0; i < taken.length; i++) {
            if (taken[i]) {
                continue;
            }
            int gap = conditioned ? i + 1 : Integer.MAX_VALUE;
            for (int p = 0; p < picks; p++) {
                gap = Math.min(gap, Math.abs(i - order[p]));
            }
            if (gap > bestGap) {
                bestGap = gap;
                best = i;
            }
        }
        return best;
    }
}
