package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.FinishReason;

/**
 * What the engine thread reports about each request and each step, for serving metrics (time to
 * first token, inter-token latency, queue/prefill/decode time, batch and KV usage). Called on the
 * engine thread: implementations must be quick and never block. Times are nanoseconds.
 */
public interface EngineObserver {

    /** Reports nothing. */
    EngineObserver NONE = new EngineObserver() {
    };

    /** A request left the wait queue for the batch after {@code queuedNanos}. */
    default void admitted(long queuedNanos) {
    }

    /** A request's prompt of {@code promptTokens} positions was prefilled in {@code prefillNanos}. */
    default void prefilled(long prefillNanos, int promptTokens) {
    }

    /**
     * A request's prompt of {@code promptTokens} positions was looked up in the prefix cache and
     * {@code reusedTokens} of them (0 on a miss) were taken from it instead of computed.
     */
    default void prefixCached(int promptTokens, int reusedTokens) {
    }

    /** A request's first token was sampled {@code sinceSubmitNanos} after it was submitted. */
    default void firstToken(long sinceSubmitNanos) {
    }

    /** A request's next token came {@code sincePreviousNanos} after its previous one. */
    default void nextToken(long sincePreviousNanos) {
    }

    /**
     * A request ended (stop, length, cancellation or failure: {@code reason} null).
     *
     * @param e2eNanos    from submit to the end
     * @param decodeNanos from the first token to the end
     */
    default void finished(FinishReason reason, long e2eNanos, long decodeNanos, int promptTokens, int generatedTokens) {
    }

    /** After each planning round: sequences in the batch, requests waiting, KV budget in use (0..1). */
    default void batch(int running, int waiting, double kvUsage) {
    }
}
