package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.SamplingParams;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits, with Hugging Face semantics and order:
 * repetition penalty on the raw logits (over the tokens generated so far — the reference calls
 * {@code generate} with embeddings only, so prompt ids are not penalised), then greedy argmax, or
 * temperature → top-k → top-p → a draw from the remaining mass with a seeded generator (same seed,
 * same logits → same token). Not thread-safe: one per sequence.
 */
final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    private float[] work = new float[0];
    private double lastLogprob = Double.NaN;

    Sampler(SamplingParams params, long seed) {
        this.params = params;
        this.random = new SplittableRandom(seed);
    }

    /** The log-probability of the last chosen token (penalised, temperature-scaled softmax). */
    double lastLogprob() {
        return lastLogprob;
    }

    /**
     * @param logits    the row's logits, {@code vocab} floats from the buffer's position (not moved)
     * @param vocab     logits per row
     * @param generated tokens generated so far (for the repetition penalty)
     * @param count     how many of {@code generated} are valid
     */
    int sample(FloatBuffer logits, int vocab, int[] generated, int count) {
        boolean plain = params.repetitionPenalty() == 1.0 && !params.logprobs();
        if (params.greedy() && plain) {
            return argmax(logits, vocab);
        }
        if (work.length != vocab) {
            work = new float[vocab];
        }
        logits.get(logits.position(), work, 0, vocab);
        penalise(generated, count);
        if (params.greedy()) {
            int token = argmax(FloatBuffer.wrap(work), vocab);
            lastLogprob = work[token] - logSumExp(work);
            return token;
        }
        float inverseTemperature = (float) (1.0 / params.temperature());
        for (int i = 0; i < vocab; i++) {
            work[i] *= inverseTemperature;
        }
        double logZ = logSumExp(work);
        int token = draw(truncate(work), logZ);
        lastLogprob = work[token] - logZ;
        return token;
    }

    private void penalise(int[] generated, int count) {
        float penalty = (float) params.repetitionPenalty();
        if (penalty == 1f) {
            return;
        }
        int[] seen = Arrays.copyOf(generated, count);
        Arrays.sort(seen);
        for (int i = 0; i < seen.length; i++) {
            if (i > 0 && seen[i] == seen[i - 1]) {
                continue;
            }
            float l = work[seen[i]];
            work[seen[i]] = l > 0 ? l / penalty : l * penalty;
        }
    }

    /** Candidate ids after top-k and top-p, most likely first. */
    private int[] truncate(float[] l) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        float floor = params.topK() > 0 && params.topK() < l.length ? kthLargest(l, params.topK()) : Float.NEGATIVE_INFINITY;
        // Nucleus: the smallest top set with mass >= topP lies among the tokens above a threshold
        // once those alone carry that mass, so only they need sorting.
        double total = 0;
        for (float v : l) {
            if (v >= floor) {
                total += Math.exp(v - max);
            }
        }
        double ratio = 1e-4;
        while (true) {
            float threshold = ratio == 0 ? floor : (float) Math.max(floor, max + Math.log(ratio));
            int[] candidates = above(l, threshold);
            double mass = 0;
            for (int id : candidates) {
                mass += Math.exp(l[id] - max);
            }
            if (mass >= params.topP() * total * (1 - 1e-9) || ratio == 0) {
                return nucleus(l, candidates, max, total);
            }
            ratio = ratio < 1e-30 ? 0 : ratio * 1e-4;
        }
    }

    private int[] nucleus(float[] l, int[] candidates, float max, double total) {
        Integer[] boxed = Arrays.stream(candidates).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> a.equals(b) ? 0 : Float.compare(l[b], l[a]) != 0 ? Float.compare(l[b], l[a]) : a - b);
        double target = params.topP() * total;
        double cumulative = 0;
        int keep = 0;
        while (keep < boxed.length) {
            cumulative += Math.exp(l[boxed[keep]] - max);
            keep++;
            if (cumulative >= target * (1 - 1e-9)) {
                break;
            }
        }
        int[] kept = new int[keep];
        for (int i = 0; i < keep; i++) {
            kept[i] = boxed[i];
        }
        return kept;
    }

    private int draw(int[] candidates, double logZ) {
        double mass = 0;
        for (int id : candidates) {
            mass += Math.exp(work[id] - logZ);
        }
        double u = random.nextDouble() * mass;
        for (int id : candidates) {
            u -= Math.exp(work[id] - logZ);
            if (u <= 0) {
                return id;
            }
        }
        return candidates[candidates.length - 1];
    }

    private static int[] above(float[] l, float threshold) {
        int n = 0;
        for (float v : l) {
            if (v >= threshold) {
                n++;
            }
        }
        int[] ids = new int[n];
        int j = 0;
        for (int i = 0; i < l.length; i++) {
            if (l[i] >= threshold) {
                ids[j++] = i;
            }
        }
        return ids;
    }

    static float kthLargest(float[] l, int k) {
        float[] copy = l.clone();
        Arrays.sort(copy);
        return copy[copy.length - k];
    }

    static int argmax(FloatBuffer logits, int vocab) {
        int base = logits.position();
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits.get(base + i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    static double logSumExp(float[] l) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : l) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }
}
