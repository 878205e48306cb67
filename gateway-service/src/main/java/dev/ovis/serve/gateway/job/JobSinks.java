package dev.ovis.serve.gateway.job;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * In-process fan-out of one kind of per-job signal (job updates, stream chunks): a Reactor sink
 * per job that somebody listens to. Emitting for a job nobody listens to costs a map lookup.
 * Subscribe before the signals can happen (e.g. before submitting a streamed job).
 *
 * @param <T> what is emitted
 */
public final class JobSinks<T> {

    private static final int BUFFER = 1024;

    private final ConcurrentMap<String, Sinks.Many<T>> sinks = new ConcurrentHashMap<>();

    /** The signals of {@code jobId} from now on; never completes by itself. */
    public Flux<T> subscribe(String jobId) {
        return Flux.defer(() -> {
            Sinks.Many<T> sink = sinks.computeIfAbsent(jobId, id -> Sinks.many().multicast().onBackpressureBuffer(BUFFER, false));
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

    /** How many jobs have listeners (for tests and metrics). */
    public int watched() {
        return sinks.size();
    }
}
