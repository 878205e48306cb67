package dev.ovis.serve.gateway.job;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * In-process fan-out of one kind of per-job signal (job updates, stream chunks): a Reactor sink
 * per job that somebody listens to. Emitting for a job nobody listens to costs a map lookup.
 * Signals emitted before anyone subscribed are lost unless the job's sink was {@link #open opened}
 * first: an open sink buffers until its first subscriber.
 *
 * @param <T> what is emitted
 */
public final class JobSinks<T> {

    private static final int BUFFER = 1024;

    private final ConcurrentMap<String, Sinks.Many<T>> sinks = new ConcurrentHashMap<>();

    /**
     * Starts buffering the signals of {@code jobId} for a subscriber that comes later (e.g. stream
     * chunks of a job just submitted). Dropped after {@code ttl} if nobody subscribed by then.
     */
    public void open(String jobId, Duration ttl) {
        Sinks.Many<T> sink = sinks.computeIfAbsent(jobId, id -> newSink());
        Mono.delay(ttl).subscribe(tick -> {
            if (sink.currentSubscriberCount() == 0) {
                sinks.remove(jobId, sink);
            }
        });
    }

    /** The signals of {@code jobId} from now on (or since {@link #open}); never completes by itself. */
    public Flux<T> subscribe(String jobId) {
        return Flux.defer(() -> {
            Sinks.Many<T> sink = sinks.computeIfAbsent(jobId, id -> newSink());
            return sink.asFlux().doFinally(signal -> {
                if (sink.currentSubscriberCount() == 0) {
                    sinks.remove(jobId, sink);
                }
            });
        });
    }

    /** Hands {@code value} to the listeners of {@code jobId}, if any. Safe from any thread. */
    public void emit(String jobId, T value) {
        Sinks.Many<T> sink = sinks.get(jobId);
        if (sink != null) {
            synchronized (sink) {
                sink.tryEmitNext(value);
            }
        }
    }

    private Sinks.Many<T> newSink() {
        return Sinks.many().multicast().onBackpressureBuffer(BUFFER, false);
    }

    /** How many jobs have listeners or open sinks (for tests and metrics). */
    public int watched() {
        return sinks.size();
    }
}
