package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.job.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The caller's side of one submitted request: the engine thread appends text as tokens are
 * produced and finishes it once; the caller drains what is new (paced by {@link #next}) and
 * may cancel. Thread-safe. The engine never blocks on the caller, so a slow consumer (Kafka) never
 * stalls the batch.
 */
public final class Generation {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StringBuilder pendingText = new StringBuilder();
    private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
    private final StringBuilder fullText = new StringBuilder();
    private final List<TokenLogprob> allLogprobs = new ArrayList<>();
    private final List<Integer> tokenIds = new ArrayList<>();
    private volatile boolean cancelRequested;
    private FinishReason finishReason;
    private Usage usage;
    private Failure failure;
    private volatile long firstTokenNanos;
    private volatile long finishedNanos;
    /** When {@link #next} last returned output; 0 before the first. */
    private long lastReturnNanos;

    /** What changed since the last drain. */
    public record Update(String text, List<TokenLogprob> logprobs, boolean done, FinishReason finishReason,
                         Usage usage, Failure failure) {
    }

    /** Asks the engine to stop this sequence; it leaves the batch at the next step boundary. */
    public void cancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /**
     * Returns what is new, paced for streaming: output that follows a quiet spell of at least
     * {@code gap} (the first token, or a slow model's every token) returns at once; output that
     * follows the previous return more closely is gathered until {@code gap} has passed since it, so
     * a fast model sends at most one chunk per gap. The end returns at once, with whatever came
     * before it. With nothing new it returns empty after {@code gap}, so the caller can look for a
     * cancellation.
     */
    public Update next(Duration gap) throws InterruptedException {
        long gapNanos = gap.toNanos();
        lock.lock();
        try {
            long waitUntil = System.nanoTime() + gapNanos;
            while (!done() && pendingText.isEmpty() && pendingLogprobs.isEmpty()) {
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            long gatherUntil = lastReturnNanos + gapNanos;
            while (!done() && lastReturnNanos != 0) {
                long left = gatherUntil - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            Update update = new Update(pendingText.toString(), List.copyOf(pendingLogprobs), done(), finishReason, usage, failure);
            if (!update.text().isEmpty() || !update.logprobs().isEmpty()) {
                lastReturnNanos = System.nanoTime();
            }
            pendingText.setLength(0);
            pendingLogprobs.clear();
            return update;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until finished (tests, non-streaming callers). */
    public Update await(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (!done() && left > 0) {
                left = changed.awaitNanos(left);
            }
            return new Update(fullText.toString(), List.copyOf(allLogprobs), done(), finishReason, usage, failure);
        } finally {
            lock.unlock();
        }
    }

    /** The whole text so far. */
    public String text() {
        lock.lock();
        try {
            return fullText.toString();
        } finally {
            lock.unlock();
        }
    }

    /** Every sampled token id so far, the final stop id included (for fidelity checks). */
    public List<Integer> tokenIds() {
        lock.lock();
        try {
            return List.copyOf(tokenIds);
        } finally {
            lock.unlock();
        }
    }

    public boolean isDone() {
        lock.lock();
        try {
            return done();
        } finally {
            lock.unlock();
        }
    }

    /** {@link System#nanoTime()} when the first token was sampled (time to first token), 0 before. */
    public long firstTokenNanos() {
        return firstTokenNanos;
    }

    /** {@link System#nanoTime()} when the generation ended, 0 before. */
    public long finishedNanos() {
        return finishedNanos;
    }

    void token(int id) {
        lock.lock();
        try {
            if (tokenIds.isEmpty()) {
                firstTokenNanos = System.nanoTime();
            }
            tokenIds.add(id);
        } finally {
            lock.unlock();
        }
    }

    void emit(String text, TokenLogprob logprob) {
        lock.lock();
        try {
            pendingText.append(text);
            fullText.append(text);
            if (logprob != null) {
                pendingLogprobs.add(logprob);
                allLogprobs.add(logprob);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void finish(FinishReason reason, Usage finalUsage) {
        lock.lock();
        try {
            if (!done()) {
                finishedNanos = System.nanoTime();
                finishReason = reason;
                usage = finalUsage;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void fail(Failure why) {
        lock.lock();
        try {
            if (!done()) {
                finishedNanos = System.nanoTime();
                failure = why;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean done() {
        return finishReason != null || failure != null;
    }
}
