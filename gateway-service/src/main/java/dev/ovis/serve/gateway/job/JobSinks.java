package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.util.Set;
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

    static final int BUFFER = 1024;

    private final ConcurrentMap<String, Sinks.Many<T>> sinks = new ConcurrentHashMap<>();
    private final boolean failOnOverflow;

    /** Signals past a full buffer are dropped: right for job updates, which a later change or re-read brings again. */
    public JobSinks() {
        this(false);
    }

    /**
     * @param failOnOverflow end a job's signals with a {@link SlowConsumerException} when its buffer is full
     *                       (stream chunks: a lost chunk would silently corrupt the answer)
     */
    public JobSinks(boolean failOnOverflow) {
        this.failOnOverflow = failOnOverflow;
    }

    /** The listener of a job's signals did not keep up: more than {@value #BUFFER} signals waited. */
    public static final class SlowConsumerException extends ApiException {
        SlowConsumerException(String jobId) {
            super(ErrorCode.UNAVAILABLE, "the client read the answer of job " + jobId + " too slowly: more than " + BUFFER
                    + " chunks waited, so the stream was ended and the job cancelled rather than chunks dropped");
        }
    }

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
                Sinks.EmitResult result = sink.tryEmitNext(value);
                // FAIL_OVERFLOW: its subscriber does not keep up; FAIL_ZERO_SUBSCRIBER: an opened sink's buffer is full
                if (failOnOverflow && (result == Sinks.EmitResult.FAIL_OVERFLOW || result == Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER)) {
                    // the sink stays until its subscriber leaves (or its open() expires), so it learns why
                    sink.tryEmitError(new SlowConsumerException(jobId));
                }
            }
        }
    }

    private Sinks.Many<T> newSink() {
        return Sinks.many().multicast().onBackpressureBuffer(BUFFER, false);
    }

    /** Whether somebody listens to {@code jobId}'s signals here (or its sink was opened). */
    public boolean watches(String jobId) {
        return sinks.containsKey(jobId);
    }

    /** The jobs somebody listens to here now (a copy). */
    public Set<String> watchedIds() {
        return Set.copyOf(sinks.keySet());
    }

    /** How many jobs have listeners or open sinks (for tests and metrics). */
    public int watched() {
        return sinks.size();
    }
}
