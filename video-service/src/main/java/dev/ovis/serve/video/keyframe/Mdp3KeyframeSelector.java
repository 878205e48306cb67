package dev.ovis.serve.video.keyframe;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * MDP3 key-frame selection (arXiv 2501.02885), as the Ovis2 reference plugin runs it: relevance
 * r_i = K(q, f_i) and similarity L = K(F, F) under the {@link MultiGaussianKernel}; the objective of
 * a set S is {@code (2/λ)·Σ log r + log det L_S}; the candidates are cut into segments of
 * {@code segmentSize} frames and a dynamic programme over (segment, frames chosen so far) runs a
 * {@link ConditionalGreedyDpp greedy conditional DPP} in each segment, conditioned on the latest
 * frame chosen before it. Everything is computed in double precision.
 *
 * <p>Deliberate differences from the reference: a short last segment is clamped to the candidates
 * that exist (the reference indexes past the end), and a still video (all residuals zero) gets a
 * time-spread choice instead of NaN scores. The reference's quirk that a segment's score includes
 * the conditioning frame's constant terms is kept: it does not change the arg-max within a
 * segment and keeping it keeps the selections identical.
 */
public final class Mdp3KeyframeSelector implements KeyframeSelector {

    /** λ of the reference (relevance weight 2/λ = 10). */
    public static final double DEFAULT_LAMBDA = 0.2;

    private final MultiGaussianKernel kernel;
    private final double relevanceWeight;

    public Mdp3KeyframeSelector() {
        this(new MultiGaussianKernel(), DEFAULT_LAMBDA);
    }

    public Mdp3KeyframeSelector(MultiGaussianKernel kernel, double lambda) {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda must be positive: " + lambda);
        }
        this.kernel = kernel;
        this.relevanceWeight = 2.0 / lambda;
    }

    @Override
    public int[] select(double[][] frames, double[] query, int count, int segmentSize) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1: " + count);
        }
        int n = frames.length;
        if (n <= count) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int m = segmentSize <= 0 ? n : Math.min(segmentSize, n);
        int segments = (n + m - 1) / m;
        double[] logRelevance = new double[n];
        if (query != null) {
            for (int i = 0; i < n; i++) {
                logRelevance[i] = Math.log(kernel.apply(query, frames[i]));
            }
        }
        double self = kernel.self();
        double[] previousScore = new double[count + 1];
        int[][] previousTrace = new int[count + 1][];
        previousTrace[0] = new int[0];
        for (int t = 1; t <= segments; t++) {
            int from = (t - 1) * m;
            int to = Math.min(t * m, n);
            KernelRows block = new KernelRows(kernel, frames, from, to);
            double[] segmentRelevance = Arrays.copyOfRange(logRelevance, from, to);
            Map<Integer, double[]> conditionRows = new HashMap<>();
            double[] score = new double[count + 1];
            int[][] trace = new int[count + 1][];
            for (int start = 0; start <= Math.min(count, from); start++) {
                int[] before = previousTrace[start];
                if (before == null) {
                    continue;
                }
                double[] conditionRow = null;
                double conditionRelevance = 0;
                if (before.length > 0) {
                    int condition = before[before.length - 1];
                    conditionRow = conditionRows.computeIfAbsent(condition, block::rowOf);
                    conditionRelevance = logRelevance[condition];
                }
                int maxSelect = Math.min(count - start, to - from);
                ConditionalGreedyDpp.Path path = ConditionalGreedyDpp.run(block, segmentRelevance, conditionRow,
                        self, conditionRelevance, relevanceWeight, maxSelect);
                for (int picked = 0; picked <= maxSelect; picked++) {
                    double candidate = previousScore[start] + path.scores()[picked];
                    int target = start + picked;
                    if (trace[target] == null || candidate > score[target]) {
                        score[target] = candidate;
                        trace[target] = concat(before, path.prefixSorted(picked), from);
                    }
                }
            }
            previousScore = score;
            previousTrace = trace;
        }
        return previousTrace[count];
    }

    private static int[] concat(int[] before, int[] picked, int offset) {
        int[] out = Arrays.copyOf(before, before.length + picked.length);
        for (int i = 0; i < picked.length; i++) {
            out[before.length + i] = picked[i] + offset;
        }
        return out;
    }
}
