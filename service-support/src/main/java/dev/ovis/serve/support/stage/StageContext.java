package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.chat.StreamChunk;

/** What a {@link StageHandler} can do while it works on one job. Safe to call from any thread. */
public interface StageContext {

    /** The job being handled. */
    String jobId();

    /**
     * Reports progress (a RUNNING job event). Calls closer than {@code ovis.stage.progress-interval}
     * (250 ms) are coalesced; the latest one is always sent before the outcome.
     *
     * @param fraction done so far in [0, 1]
     * @param message  a short note, e.g. "decoding 12/64", may be {@code null}
     */
    void progress(double fraction, String message);

    /** Sends streamed output to the gateway instance named by the request's replyTo; no-op when there is none. */
    void stream(StreamChunk chunk);

    /** Whether a cancellation for this job has arrived; a handler stops at its next step when it has. */
    boolean cancelled();

    /** Which attempt this is, 1 for the first (transient failures are retried). */
    default int attempt() {
        return 1;
    }
}
