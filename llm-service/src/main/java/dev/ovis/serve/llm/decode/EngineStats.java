package dev.ovis.serve.llm.decode;

/**
 * Counters of the engine thread since start, for metrics and the benchmark.
 *
 * @param prefills     prompts prefilled
 * @param prefillNanos time spent in prefill runs
 * @param steps        decode steps run
 * @param stepRows     sequences advanced by those steps (sum of batch sizes = tokens decoded)
 * @param stepNanos    time spent in decode steps (run and sampling)
 * @param prefixHits   prefills that reused a cached prompt prefix ({@link PrefixCache}); the rest were misses
 * @param promptPositions  prompt positions of those prefills (reused and computed)
 * @param reusedPositions  prompt positions taken from the prefix cache instead of computed
 */
public record EngineStats(long prefills, long prefillNanos, long steps, long stepRows, long stepNanos,
                          long prefixHits, long promptPositions, long reusedPositions) {

    /** No work yet. */
    public static final EngineStats ZERO = new EngineStats(0, 0, 0, 0, 0, 0, 0, 0);

    /** What happened between an earlier snapshot and this one. */
    public EngineStats since(EngineStats earlier) {
        return new EngineStats(prefills - earlier.prefills, prefillNanos - earlier.prefillNanos, steps - earlier.steps,
                stepRows - earlier.stepRows, stepNanos - earlier.stepNanos, prefixHits - earlier.prefixHits,
                promptPositions - earlier.promptPositions, reusedPositions - earlier.reusedPositions);
    }

    /** Prompt positions the prefills computed (not taken from the prefix cache). */
    public long computedPositions() {
        return promptPositions - reusedPositions;
    }

    /** Tokens per second of the decode steps alone (all rows together). */
    public double decodeTokensPerSecond() {
        return stepNanos == 0 ? 0 : stepRows * 1e9 / stepNanos;
    }
}
