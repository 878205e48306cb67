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
 * produced and finishes it once; the caller drains what is new (at most every stream interval) and
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
     * Waits until something is finished or {@code linger} has passed since the call, then returns
     * everything new. Grouping by time keeps chunk counts low without delaying the end.
     */
    public Update next(Duration linger) throws InterruptedException {
        long deadline = System.nanoTime() + linger.toNanos();
        lock.lock();
        try {
            while (!done()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            Update update = new Update(pendingText.toString(), List.copyOf(pendingLogprobs), done(), finishReason, usage, failure);
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
