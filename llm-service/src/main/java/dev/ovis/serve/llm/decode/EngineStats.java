package dev.ovis.serve.llm.decode;

/**
 * Counters of the engine thread since start, for metrics and the benchmark.
 *
 * @param prefills     prompts prefilled
 * @param prefillNanos time spent in prefill runs
 * @param steps        decode steps run
 * @param stepRows     sequences advanced by those steps (sum of batch sizes = tokens decoded)
 * @param stepNanos    time spent in decode steps (run and sampling)
 */
public record EngineStats(long prefills, long prefillNanos, long steps, long stepRows, long stepNanos) {

    /** What happened between an earlier snapshot and this one. */
    public EngineStats since(EngineStats earlier) {
        return new EngineStats(prefills - earlier.prefills, prefillNanos - earlier.prefillNanos, steps - earlier.steps,
                stepRows - earlier.stepRows, stepNanos - earlier.stepNanos);
    }

    /** Tokens per second of the decode steps alone (all rows together). */
    public double decodeTokensPerSecond() {
        return stepNanos == 0 ? 0 : stepRows * 1e9 / stepNanos;
    }
}
