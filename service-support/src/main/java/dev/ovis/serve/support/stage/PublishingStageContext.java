package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StageContext} of one attempt at one job. Progress and stream chunks are published
 * without waiting (they are keyed by the job id, so they stay in order with the outcome that
 * follows); {@link #finish} sends the last coalesced progress and waits for what is in flight.
 * Thread-safe, so a handler may report from a worker thread of its own.
 */
final class PublishingStageContext implements StageContext {

    private static final Logger log = LoggerFactory.getLogger(PublishingStageContext.class);

    private final StageRequest request;
    private final int attempt;
    private final EnvelopePublisher publisher;
    private final JobsNotToRun jobsNotToRun;
    private final String source;
    private final long progressIntervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicInteger progressCounter;

    private long lastProgressAt;
    private boolean anyProgressSent;
    private JobEvent pendingProgress;
    private CompletableFuture<Void> lastProgressSend = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> lastStreamSend = CompletableFuture.completedFuture(null);

    PublishingStageContext(StageRequest request, int attempt, EnvelopePublisher publisher, JobsNotToRun jobsNotToRun,
                           String source, Duration progressInterval, LongSupplier nanoClock,
                           AtomicInteger progressCounter) {
        this.request = request;
        this.attempt = attempt;
        this.publisher = publisher;
        this.jobsNotToRun = jobsNotToRun;
        this.source = source;
        this.progressIntervalNanos = progressInterval.toNanos();
        this.nanoClock = nanoClock;
        this.progressCounter = progressCounter;
    }

    @Override
    public String jobId() {
        return request.jobId();
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public synchronized void progress(double fraction, String message) {
        Double clamped = Double.isNaN(fraction) ? null : Math.max(0.0, Math.min(1.0, fraction));
        JobEvent event = new JobEvent(request.jobId(), request.stage(), JobStatus.RUNNING, clamped, message, null, null);
        long now = nanoClock.getAsLong();
        boolean due = !anyProgressSent || now - lastProgressAt >= progressIntervalNanos
                || (clamped != null && clamped >= 1.0);
        if (due) {
            sendProgress(event, now);
        } else {
            pendingProgress = event;
        }
    }

    /** Publishes a note (e.g. "retrying") as a progress event right away. */
    synchronized void note(String message) {
        sendProgress(new JobEvent(request.jobId(), request.stage(), JobStatus.RUNNING, null, message, null, null),
                nanoClock.getAsLong());
    }

    @Override
    public synchronized void stream(StreamChunk chunk) {
        if (request.replyTo() == null) {
            return;
        }
        Envelope<StreamChunk> envelope = Envelope.withId(request.jobId() + ":stream:" + chunk.seq(),
                EventTypes.STREAM_CHUNK, source, request.jobId(), chunk);
        lastStreamSend = publisher.publishAsync(Topics.stream(request.replyTo()), envelope);
    }

    @Override
    public boolean cancelled() {
        return jobsNotToRun.contains(request.jobId());
    }

    /** Sends the coalesced last progress, then waits (bounded) until progress and chunks are acknowledged. */
    synchronized void finish(Duration timeout) {
        if (pendingProgress != null) {
            sendProgress(pendingProgress, nanoClock.getAsLong());
        }
        await(lastProgressSend, "progress", timeout);
        await(lastStreamSend, "stream chunks", timeout);
    }

    private void sendProgress(JobEvent event, long now) {
        pendingProgress = null;
        anyProgressSent = true;
        lastProgressAt = now;
        String id = StageProcessor.eventId(request, request.stage(), "progress:" + progressCounter.incrementAndGet());
        lastProgressSend = publisher.publishAsync(Topics.JOB_EVENTS,
                Envelope.withId(id, EventTypes.JOB_PROGRESS, source, request.jobId(), event));
    }

    private void await(CompletableFuture<Void> send, String what, Duration timeout) {
        try {
            send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: the outcome is what matters and it is published (and awaited) next.
            log.warn("Job {}: {} may not have been delivered: {}", request.jobId(), what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
