package dev.ovis.serve.video.keyframe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MDP3 computed the obvious way — for the benchmark and as a cross-check: the whole N×N kernel is
 * computed up front, then every greedy step evaluates every candidate by a fresh Cholesky
 * log-determinant of the whole conditioned set (O(n³) per candidate instead of O(n)). Same dynamic
 * programme as {@link Mdp3KeyframeSelector}.
 */
public final class NaiveMdp3Selector implements KeyframeSelector {

    private final MultiGaussianKernel kernel = new MultiGaussianKernel();
    private final double weight = 2.0 / Mdp3KeyframeSelector.DEFAULT_LAMBDA;

    @Override
    public int[] select(double[][] frames, double[] query, int count, int segmentSize) {
        int n = frames.length;
        if (n <= count) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int m = segmentSize <= 0 ? n : Math.min(segmentSize, n);
        int segments = (n + m - 1) / m;
        double[][] gram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                gram[i][j] = kernel.apply(frames[i], frames[j]);
            }
        }
        double[] logR = new double[n];
        for (int i = 0; i < n; i++) {
            logR[i] = query == null ? 0 : Math.log(kernel.apply(query, frames[i]));
        }
        double[] dp = new double[count + 1];
        List<List<Integer>> trace = new ArrayList<>();
        for (int s = 0; s <= count; s++) {
            trace.add(s == 0 ? List.of() : null);
        }
        for (int t = 1; t <= segments; t++) {
            int from = (t - 1) * m;
            int to = Math.min(t * m, n);
            double[] next = new double[count + 1];
            List<List<Integer>> nextTrace = new ArrayList<>();
            for (int s = 0; s <= count; s++) {
                nextTrace.add(null);
            }
            for (int start = 0; start <= Math.min(count, from); start++) {
                List<Integer> before = trace.get(start);
                if (before == null) {
                    continue;
                }
                List<Integer> chosen = new ArrayList<>();
                if (!before.isEmpty()) {
                    chosen.add(before.getLast());
                }
                List<Integer> picks = new ArrayList<>();
                int maxSelect = Math.min(count - start, to - from);
                for (int picked = 0; picked <= maxSelect; picked++) {
                    double score = 0;
                    if (picked > 0) {
                        int best = -1;
                        double bestObjective = Double.NEGATIVE_INFINITY;
                        for (int i = from; i < to; i++) {
                            if (picks.contains(i)) {
                                continue;
                            }
                            chosen.add(i);
                            double objective = objective(gram, logR, chosen);
                            chosen.removeLast();
                            if (best < 0 || objective > bestObjective) {
                                best = i;
                                bestObjective = objective;
                            }
                        }
                        picks.add(best);
                        chosen.add(best);
                        score = bestObjective;
                    }
                    double total = dp[start] + score;
                    int target = start + picked;
                    if (nextTrace.get(target) == null || total > next[target]) {
                        next[target] = total;
                        List<Integer> joined = new ArrayList<>(before);
                        joined.addAll(picks.stream().sorted().toList());
                        nextTrace.set(target, joined);
                    }
                }
            }
            dp = next;
            trace = nextTrace;
        }
        return trace.get(count).stream().mapToInt(Integer::intValue).toArray();
    }

    private double objective(double[][] gram, double[] logR, List<Integer> set) {
        int size = set.size();
        double[][] a = new double[size][size];
        double relevance = 0;
        for (int i = 0; i < size; i++) {
            relevance += logR[set.get(i)];
            for (int j = 0; j < size; j++) {
                a[i][j] = gram[set.get(i)][set.get(j)];
            }
        }
        return weight * relevance + logDet(a);
    }

    /** log det by a full Cholesky factorisation. */
    private static double logDet(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        double logDet = 0;
        for (int j = 0; j < n; j++) {
            double sum = a[j][j];
            for (int k = 0; k < j; k++) {
                sum -= l[j][k] * l[j][k];
            }
            if (sum <= 0) {
                return Double.NEGATIVE_INFINITY;
            }
            l[j][j] = Math.sqrt(sum);
            logDet += 2 * Math.log(l[j][j]);
            for (int i = j + 1; i < n; i++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = s / l[j][j];
            }
        }
        return logDet;
    }
}
