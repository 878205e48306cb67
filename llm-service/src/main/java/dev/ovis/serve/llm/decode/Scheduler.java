package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.job.Priority;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides what runs at each step boundary: which waiting requests are admitted (interactive ones
 * first, each priority first come, first served, while the batch has a free row, the KV budget
 * covers the padded batch and the step's prefill allowance is not used up) and which waiting ones
 * were cancelled. Batch requests ({@link Priority#BATCH}) wait while interactive ones are waiting,
 * but after {@link EngineSettings#batchAging()} interactive admissions past a waiting batch request
 * the oldest batch request goes first once, so a steady interactive load never starves a batch.
 * Requests that do not fit wait in a bounded queue (both priorities together); beyond its bound
 * {@link #submit} refuses. Thread-safe: callers submit, the engine thread plans.
 */
final class Scheduler {

    /** What the engine does before its next decode step. */
    record Plan(List<Sequence> admit, List<Sequence> cancelled) {
    }

    private final KvCache kv;
    private final EngineSettings settings;
    private final Deque<Sequence> interactive = new ArrayDeque<>();
    private final Deque<Sequence> batch = new ArrayDeque<>();
    /** Interactive admissions since a waiting batch request was last let through. */
    private int passedBatch;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private boolean closed;

    Scheduler(KvCache kv, EngineSettings settings) {
        this.kv = kv;
        this.settings = settings;
    }

    void submit(Sequence sequence) throws EngineBusyException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            int queued = interactive.size() + batch.size();
            if (queued >= settings.maxQueued()) {
                throw new EngineBusyException("the decode queue is full (" + queued + " requests waiting for KV memory)");
            }
            (sequence.request.priority() == Priority.BATCH ? batch : interactive).addLast(sequence);
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues several sequences at once, so one plan sees them all (the benchmark's batches start
     * together); all or none: refused when they do not all fit the queue.
     */
    void submitAll(List<Sequence> sequences) throws EngineBusyException {
        lock.lock();
        try {
            int queued = interactive.size() + batch.size();
            if (!closed && queued + sequences.size() > settings.maxQueued()) {
                throw new EngineBusyException("the decode queue is full (" + queued + " requests waiting for KV memory)");
            }
            for (Sequence s : sequences) {
                submit(s);
            }
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return interactive.size() + batch.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the engine (a running sequence was cancelled, or the engine closes). */
    void wake() {
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Everything still waiting, removed (the engine fails them on close). */
    List<Sequence> close() {
        lock.lock();
        try {
            closed = true;
            List<Sequence> left = new ArrayList<>(interactive);
            left.addAll(batch);
            interactive.clear();
            batch.clear();
            work.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Plans the next step for the given running batch; blocks while there is nothing to do.
     *
     * @return the plan, or {@code null} once closed
     */
    Plan plan(List<Sequence> running) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && running.isEmpty() && interactive.isEmpty() && batch.isEmpty()) {
                work.await();
            }
            if (closed) {
                return null;
            }
            List<Sequence> cancelled = new ArrayList<>();
            interactive.removeIf(s -> s.generation.cancelRequested() && cancelled.add(s));
            batch.removeIf(s -> s.generation.cancelRequested() && cancelled.add(s));
            List<Sequence> admit = new ArrayList<>();
            int longest = 0;
            for (Sequence s : running) {
                longest = Math.max(longest, s.reserved);
            }
            int prefill = 0;
            Deque<Sequence> from;
            while ((from = nextQueue()) != null) {
                Sequence next = from.peekFirst();
                int rows = running.size() + admit.size() + 1;
                int newLongest = Math.max(longest, next.reserved);
                boolean allowance = admit.isEmpty() || prefill + next.request.positions() <= settings.prefillTokens();
                if (rows > settings.maxBatch() || !allowance || !kv.fits(rows, newLongest)) {
                    break;
                }
                admit.add(from.pollFirst());
                passedBatch = from == batch || batch.isEmpty() ? 0 : passedBatch + 1;
                longest = newLongest;
                prefill += next.request.positions();
            }
            return new Plan(admit, cancelled);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The queue whose head is admitted next: interactive, unless none is waiting or
     * {@code batchAging} interactive admissions have passed a waiting batch request; null when
     * nothing waits.
     */
    private Deque<Sequence> nextQueue() {
        if (batch.isEmpty()) {
            return interactive.isEmpty() ? null : interactive;
        }
        return interactive.isEmpty() || passedBatch >= settings.batchAging() ? batch : interactive;
    }
}
