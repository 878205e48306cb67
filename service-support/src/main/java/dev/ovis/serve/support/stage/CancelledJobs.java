package dev.ovis.serve.support.stage;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The job ids this instance has seen a cancellation for, bounded in size and age so a long-running
 * service does not grow without end. Written by the control listener, read by handlers through
 * {@link StageContext#cancelled()}.
 */
public final class CancelledJobs {

    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<String, Long> cancelledAt = new LinkedHashMap<>();

    public CancelledJobs(int capacity, Duration ttl) {
        this(capacity, ttl, System::nanoTime);
    }

    CancelledJobs(int capacity, Duration ttl, LongSupplier nanoClock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Remembers that {@code jobId} was cancelled. */
    public synchronized void add(String jobId) {
        long now = nanoClock.getAsLong();
        cancelledAt.remove(jobId);
        cancelledAt.put(jobId, now);
        evict(now);
    }

    /** Whether {@code jobId} was cancelled (within the remembered window). */
    public synchronized boolean contains(String jobId) {
        Long at = cancelledAt.get(jobId);
        return at != null && nanoClock.getAsLong() - at < ttlNanos;
    }

    /** How many ids are remembered. */
    public synchronized int size() {
        evict(nanoClock.getAsLong());
        return cancelledAt.size();
    }

    private void evict(long now) {
        Iterator<Map.Entry<String, Long>> oldestFirst = cancelledAt.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Long> entry = oldestFirst.next();
            if (cancelledAt.size() > capacity || now - entry.getValue() >= ttlNanos) {
                oldestFirst.remove();
            } else {
                return;
            }
        }
    }
}
