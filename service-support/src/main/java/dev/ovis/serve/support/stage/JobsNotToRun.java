package dev.ovis.serve.support.stage;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The job ids this instance must not run, each with why: {@link Reason#CANCELLED} (a cancellation
 * on the control topic) or {@link Reason#FINISHED} (the gateway announced the job's terminal state,
 * so a request still arriving for it is a duplicate). Bounded in size and age so a long-running
 * service does not grow without end. Written by the control listener, read by the stage runtime
 * and by handlers through {@link StageContext#cancelled()}.
 */
public final class JobsNotToRun {

    /** Why a job must not run. */
    public enum Reason {
        /** Someone cancelled it: a request for it is answered CANCELLED. */
        CANCELLED,
        /** It has ended: a request for it is skipped, and nothing is reported. */
        FINISHED
    }

    private record Entry(Reason reason, long at) {
    }

    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    public JobsNotToRun(int capacity, Duration ttl) {
        this(capacity, ttl, System::nanoTime);
    }

    JobsNotToRun(int capacity, Duration ttl, LongSupplier nanoClock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Remembers that {@code jobId} was cancelled. */
    public void add(String jobId) {
        add(jobId, Reason.CANCELLED);
    }

    /**
     * Remembers that {@code jobId} must not run, for {@code reason}. A finished job stays finished:
     * a late cancellation does not turn it back into a cancelled one (which would be reported).
     */
    public synchronized void add(String jobId, Reason reason) {
        long now = nanoClock.getAsLong();
        Entry previous = entries.remove(jobId);
        Reason kept = previous != null && previous.reason() == Reason.FINISHED ? Reason.FINISHED : reason;
        entries.put(jobId, new Entry(kept, now));
        evict(now);
    }

    /** Whether {@code jobId} must not run, for any reason (within the remembered window). */
    public boolean contains(String jobId) {
        return reason(jobId).isPresent();
    }

    /** Why {@code jobId} must not run, or empty when it may. */
    public synchronized Optional<Reason> reason(String jobId) {
        Entry entry = entries.get(jobId);
        return entry != null && nanoClock.getAsLong() - entry.at() < ttlNanos ? Optional.of(entry.reason()) : Optional.empty();
    }

    /** How many ids are remembered. */
    public synchronized int size() {
        evict(nanoClock.getAsLong());
        return entries.size();
    }

    private void evict(long now) {
        Iterator<Map.Entry<String, Entry>> oldestFirst = entries.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Entry> entry = oldestFirst.next();
            if (entries.size() > capacity || now - entry.getValue().at() >= ttlNanos) {
                oldestFirst.remove();
            } else {
                return;
            }
        }
    }
}
