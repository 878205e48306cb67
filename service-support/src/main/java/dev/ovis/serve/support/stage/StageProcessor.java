package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.PublishException;
import dev.ovis.serve.support.stage.StageMetrics.Outcome;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link StageRequest} through the {@link StageHandler} of its stage that takes its task
 * and publishes what follows: RUNNING first, then the forward, SUCCEEDED, FAILED or CANCELLED. The
 * payload's kind is checked here, once for every stage: a task no handler takes fails the job with
 * UNSUPPORTED_JOB without running anything. Transient failures are retried with a
 * doubling pause. Returns only once the outcome is acknowledged by the broker; a {@link
 * PublishException} that escapes means "nothing final was published, deliver the request again".
 *
 * <p>Who owns the request: Kafka, until the broker acknowledged RUNNING; then the gateway's lease.
 * The caller's {@code committed} callback (the consumer's offset commit) runs at that point, before
 * the handler, so a request whose handling kills the process (OOM, SIGKILL) is not redelivered by
 * Kafka to block the stage again: the reaper dispatches it again, counting attempts, and fails it
 * after the last. A request for a job that must not run ({@link JobsNotToRun}) or that this
 * instance already finished ({@link FinishedRequests}) is skipped without running the handler.
 */
final class StageProcessor {

    private static final Logger log = LoggerFactory.getLogger(StageProcessor.class);

    /** Pauses between attempts; returns false when the pause was cut short (interrupt). */
    @FunctionalInterface
    interface Pause {
        boolean sleep(Duration duration);
    }

    /** The stage's handlers, one per task type, none taking another's tasks. */
    private final List<StageHandler<?>> handlers;
    private final Stage stage;
    private final String stageName;
    private final EnvelopePublisher publisher;
    private final JobsNotToRun jobsNotToRun;
    private final FinishedRequests finished;
    private final StageProperties properties;
    private final StageMetrics metrics;
    private final String source;
    private final Duration sendTimeout;
    private final LongSupplier nanoClock;
    private final Pause pause;
    private final BooleanSupplier stopping;
    /** Runs the heartbeats of the jobs under way; {@code null}: none are sent (unit tests). */
    private final ScheduledExecutorService heartbeats;
    /** Requests inside {@link #process}; guarded by {@code this} so {@link #awaitIdle} can wait on it. */
    private int inFlight;

    StageProcessor(List<? extends StageHandler<?>> handlers, EnvelopePublisher publisher, JobsNotToRun jobsNotToRun,
                   StageProperties properties, StageMetrics metrics, String source, Duration sendTimeout,
                   LongSupplier nanoClock, Pause pause, BooleanSupplier stopping) {
        this(handlers, publisher, jobsNotToRun, properties, metrics, source, sendTimeout, nanoClock, pause, stopping,
                null);
    }

    StageProcessor(List<? extends StageHandler<?>> handlers, EnvelopePublisher publisher, JobsNotToRun jobsNotToRun,
                   StageProperties properties, StageMetrics metrics, String source, Duration sendTimeout,
                   LongSupplier nanoClock, Pause pause, BooleanSupplier stopping,
                   ScheduledExecutorService heartbeats) {
        this.heartbeats = heartbeats;
        this.handlers = List.copyOf(handlers);
        this.stage = this.handlers.getFirst().stage();
        for (int i = 0; i < this.handlers.size(); i++) {
            StageHandler<?> handler = this.handlers.get(i);
            if (handler.stage() != stage) {
                throw new IllegalArgumentException("handlers of the " + stage + " and " + handler.stage()
                        + " stages in one processor");
            }
            for (StageHandler<?> other : this.handlers.subList(0, i)) {
                if (handler.taskType().isAssignableFrom(other.taskType())
                        || other.taskType().isAssignableFrom(handler.taskType())) {
                    throw new IllegalStateException("two StageHandler beans of the " + stage + " stage take "
                            + handler.taskType().getSimpleName() + " tasks");
                }
            }
        }
        this.stageName = stage.name().toLowerCase(Locale.ROOT);
        this.publisher = publisher;
        this.jobsNotToRun = jobsNotToRun;
        this.finished = new FinishedRequests(properties.finishedRequests());
        this.properties = properties;
        this.metrics = metrics;
        this.source = source;
        this.sendTimeout = sendTimeout;
        this.nanoClock = nanoClock;
        this.pause = pause;
        this.stopping = stopping;
    }

    Stage stage() {
        return stage;
    }

    /** Records how long a request waited on Kafka before this stage took it. */
    void taken(Duration waited) {
        metrics.queued(waited);
    }

    /** Handles one request to the end (no envelope id, nothing to commit: unit tests). */
    void process(StageRequest request) {
        process(request.idPrefix(), request, () -> { });
    }

    /**
     * Handles one request to the end.
     *
     * @param envelopeId the request's envelope id, remembered once it is finished so a second
     *                   delivery of it is skipped
     * @param committed  hands the request over from Kafka to the gateway's lease (commits the
     *                   record's offset); run once the broker acknowledged RUNNING, before the
     *                   handler. Not run when the request ends without RUNNING (skipped, cancelled,
     *                   misaddressed): the caller commits after the outcome then.
     */
    void process(String envelopeId, StageRequest request, Runnable committed) {
        if (finished.contains(envelopeId)) {
            log.info("Job {}: request {} was finished here already; skipped", request.jobId(), envelopeId);
            metrics.handled(Outcome.SKIPPED, Duration.ZERO);
            return;
        }
        // DEBUG: which instance took which request is what a lost job's investigation needs first
        log.debug("Job {}: {} request {} taken (attempt {})", request.jobId(), stageName, envelopeId, request.attempt());
        synchronized (this) {
            inFlight++;
        }
        try {
            long start = nanoClock.getAsLong();
            Outcome outcome = decide(request, committed);
            metrics.handled(outcome, Duration.ofNanos(nanoClock.getAsLong() - start));
            if (outcome != Outcome.HANDED_OVER) {
                finished.add(envelopeId);
            }
        } finally {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
        }
    }

    /**
     * Reports the job alive every {@code heartbeatInterval} while this instance works on it, so
     * the gateway's reaper leaves it alone; when the process dies the heartbeats stop with it and
     * the job is dispatched again. Fire and forget: a lost heartbeat only shortens the lease.
     */
    private Heartbeat startHeartbeat(StageRequest request) {
        if (heartbeats == null) {
            return null;
        }
        Heartbeat heartbeat = new Heartbeat(request);
        long every = properties.heartbeatInterval().toMillis();
        heartbeat.schedule = heartbeats.scheduleAtFixedRate(heartbeat::beat, every, every, TimeUnit.MILLISECONDS);
        return heartbeat;
    }

    /** The heartbeats of one job; stopped before its outcome is published, so none can follow it. */
    private final class Heartbeat {
        private final StageRequest request;
        private final JobEvent alive;
        private int beats;
        private boolean stopped;
        private ScheduledFuture<?> schedule;

        Heartbeat(StageRequest request) {
            this.request = request;
            this.alive = new JobEvent(request.jobId(), stage, JobStatus.RUNNING, null, null, null, null);
        }

        synchronized void beat() {
            if (stopped) {
                return;
            }
            try {
                publisher.publishAsync(Topics.JOB_EVENTS, Envelope.withId(eventId(request, stage, "heartbeat:" + ++beats),
                        EventTypes.JOB_HEARTBEAT, source, request.jobId(), alive));
            } catch (RuntimeException e) { // a throw would end the schedule, and the job's heartbeats with it
                log.warn("Job {}: heartbeat not sent: {}", request.jobId(), e.toString());
            }
        }

        /** Waits for a beat under way, so the outcome published next is the job's last event. */
        synchronized void stop() {
            stopped = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
        }
    }

    /**
     * Waits until no request is being processed, at most {@code timeout}: the handler's native
     * resources may only be closed after that.
     *
     * @return whether the processor is idle
     */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private Outcome decide(StageRequest request, Runnable committed) {
        String jobId = request.jobId();
        if (request.stage() != stage) {
            return fail(request, new Failure(ErrorCode.INVALID_REQUEST, "this request is addressed to the "
                    + request.stage().name().toLowerCase(Locale.ROOT) + " stage but arrived on "
                    + Topics.requests(stage) + ", the " + stageName + " stage's topic"));
        }
        Optional<JobsNotToRun.Reason> notToRun = jobsNotToRun.reason(jobId);
        if (notToRun.isPresent()) {
            return notToRun.get() == JobsNotToRun.Reason.FINISHED ? skipFinished(request) : cancel(request);
        }
        StageHandler<?> handler = handlerFor(request.payload());
        if (handler == null) {
            // one answer for every stage: the route sent a kind of job here that this stage does not do
            return fail(request, new Failure(ErrorCode.UNSUPPORTED_JOB, "the " + stageName + " stage does not handle "
                    + request.payload().kind() + " jobs"));
        }
        // Awaited before the handler runs, although that costs a round trip on every hop: until the
        // broker has RUNNING the gateway's lease does not cover the job, so Kafka must still own the
        // request; once it has, the offset is committed and a crash while handling is the reaper's.
        CompletableFuture<Void> started = publisher.publishAsync(Topics.JOB_EVENTS, Envelope.withId(
                eventId(request, stage, "running"), EventTypes.JOB_STARTED, source, jobId, JobEvent.started(jobId, stage)));
        awaitSent(started, request);
        committed.run();
        Heartbeat heartbeat = startHeartbeat(request);
        try {
            return run(request, handler, heartbeat);
        } finally {
            if (heartbeat != null) {
                heartbeat.stop();
            }
        }
    }

    private StageHandler<?> handlerFor(JobPayload payload) {
        for (StageHandler<?> handler : handlers) {
            if (handler.taskType().isInstance(payload.task())) {
                return handler;
            }
        }
        return null;
    }

    /** Calls the handler with the request's task as the type it takes (checked by {@link #handlerFor}). */
    private static <T> StageOutcome handle(StageHandler<T> handler, StageRequest request, StageContext context)
            throws StageException {
        return handler.handle(request, handler.taskType().cast(request.payload().task()), context);
    }

    private Outcome run(StageRequest request, StageHandler<?> handler, Heartbeat heartbeat) {
        String jobId = request.jobId();
        AtomicInteger progressCounter = new AtomicInteger();
        Duration backoff = properties.retryBackoff();
        for (int attempt = 1; ; attempt++) {
            PublishingStageContext context = new PublishingStageContext(request, attempt, publisher, jobsNotToRun,
                    source, properties.progressInterval(), nanoClock, progressCounter);
            StageOutcome outcome = null;
            Failure failure;
            try {
                outcome = handle(handler, request, context);
                failure = outcome == null
                        ? new Failure(ErrorCode.INTERNAL, "the " + stageName + " handler returned no outcome") : null;
            } catch (StageException e) {
                failure = new Failure(e.code(), e.detail());
                log.info("Job {}: {} stage failed with {}: {}", jobId, stageName, e.code(), e.detail());
            } catch (ObjectStoreException e) {
                failure = new Failure(e.code(), e.getMessage());
                log.warn("Job {}: object store failure in the {} stage: {}", jobId, stageName, e.getMessage(), e);
            } catch (Throwable e) { // NOSONAR: any bug in a handler must end as a FAILED job, not a lost one
                failure = new Failure(ErrorCode.INTERNAL, "unexpected " + e.getClass().getSimpleName()
                        + " in the " + stageName + " stage" + (e.getMessage() != null ? ": " + e.getMessage() : ""));
                log.error("Job {}: the {} handler threw", jobId, stageName, e);
            }
            context.finish(sendTimeout);
            if (heartbeat != null && (failure == null || stopping.getAsBoolean())) {
                // no heartbeat after a forward or a hand-over: the gateway leases it as queued
                heartbeat.stop();
            }
            if (context.cancelled() || (failure != null && failure.code() == ErrorCode.CANCELLED)) {
                return cancel(request);
            }
            if (failure != null && stopping.getAsBoolean()) {
                // resources may be closing under the handler: the failure may be the shutdown's, not the job's
                return handOver(request, failure);
            }
            if (failure == null) {
                return publishOutcome(request, outcome);
            }
            if (!failure.code().isTransient() || attempt >= properties.maxAttempts()) {
                return fail(request, attempt > 1 ? new Failure(failure.code(),
                        failure.detail() + " (after " + attempt + " attempts)") : failure);
            }
            context.note("attempt " + attempt + " of " + properties.maxAttempts() + " failed with "
                    + failure.code() + ": " + failure.detail() + "; retrying in " + backoff.toMillis() + " ms");
            context.finish(sendTimeout);
            if (!pause.sleep(backoff) || jobsNotToRun.contains(jobId)) {
                return cancel(request);
            }
            backoff = backoff.multipliedBy(2);
        }
    }

    private Outcome publishOutcome(StageRequest request, StageOutcome outcome) {
        try {
            return switch (outcome) {
                case StageOutcome.Forward forward -> forward(request, forward);
                case StageOutcome.Complete complete -> {
                    publishEvent(request, "succeeded", EventTypes.JOB_SUCCEEDED,
                            JobEvent.succeeded(request.jobId(), stage, complete.result()));
                    yield Outcome.SUCCEEDED;
                }
            };
        } catch (PublishException e) {
            if (e.retriable()) {
                throw e;
            }
            log.error("Job {}: the outcome cannot be published", request.jobId(), e);
            return fail(request, new Failure(ErrorCode.INTERNAL, "the " + stageName
                    + " stage's outcome cannot be published: " + e.getMessage()));
        }
    }

    private Outcome forward(StageRequest request, StageOutcome.Forward forward) {
        Optional<Stage> next = request.route().after(stage);
        if (next.isEmpty()) {
            return fail(request, new Failure(ErrorCode.INTERNAL, "the " + stageName
                    + " handler forwarded the job but " + stageName + " is the last stage of route " + request.route()));
        }
        StageRequest forwarded = request.forward(next.get(), forward.payload());
        // The next request first, then the announcement. This request's offset was committed when
        // RUNNING was acknowledged, so a crash between the two must not leave the job with neither a
        // request anywhere nor a short lease: announced first, a kill before the request was sent left
        // the job under the long queued lease with nothing to run it (the multi-process fault run lost
        // an image chat this way). The cost: the next stage's first events may reach the gateway before
        // "forwarded", which then only sets the queued lease until that stage's next heartbeat.
        String nextName = next.get().name().toLowerCase(Locale.ROOT);
        publisher.publish(Topics.requests(next.get()),
                Envelope.withId(forwarded.idPrefix(), EventTypes.STAGE_REQUEST, source, request.jobId(), forwarded));
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(eventId(request, stage, "forwarded"), EventTypes.JOB_FORWARDED,
                source, request.jobId(), new JobEvent(request.jobId(), stage, JobStatus.RUNNING,
                        null, "queued for " + nextName, null, null)));
        return Outcome.FORWARDED;
    }

    private Outcome fail(StageRequest request, Failure failure) {
        publishEvent(request, "failed", EventTypes.JOB_FAILED, JobEvent.failed(request.jobId(), stage, failure));
        metrics.failed(failure.code());
        return Outcome.FAILED;
    }

    private Outcome cancel(StageRequest request) {
        if (jobsNotToRun.reason(request.jobId()).orElse(null) == JobsNotToRun.Reason.FINISHED) {
            // a duplicate run of a job that ended elsewhere: the gateway would drop its CANCELLED anyway
            return skipFinished(request);
        }
        publishEvent(request, "cancelled", EventTypes.JOB_CANCELLED, JobEvent.cancelled(request.jobId(), stage));
        return Outcome.CANCELLED;
    }

    private Outcome skipFinished(StageRequest request) {
        log.info("Job {}: finished already (announced by the gateway); this {} request, attempt {}, is skipped",
                request.jobId(), stageName, request.attempt());
        return Outcome.SKIPPED;
    }

    /**
     * The handler failed while this instance stops. Since the offset was committed when RUNNING was
     * acknowledged, leaving the record unacknowledged no longer hands the job to another instance;
     * waiting for the lease would delay it by a minute and cost one of its dispatch attempts. So it
     * is handed over like a forward to this same stage: "queued for ..." first (the gateway then
     * leases it as queued, so it is not reaped while it waits), then the same request, same envelope
     * id, on the stage's topic. Should either publish fail, the lease still covers the job.
     */
    private Outcome handOver(StageRequest request, Failure failure) {
        log.info("Job {}: the {} stage is stopping and the handler failed ({}: {}); handing the job to another instance",
                request.jobId(), stageName, failure.code(), failure.detail());
        // the request first, then the announcement, as in forward(): a process killed between the two
        // must leave a request to run, not a job under the queued lease with nothing to run it
        publisher.publish(Topics.requests(stage), Envelope.withId(request.idPrefix(), EventTypes.STAGE_REQUEST, source,
                request.jobId(), request));
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(eventId(request, stage, "handed-over:" + UUID.randomUUID()),
                EventTypes.JOB_FORWARDED, source, request.jobId(), new JobEvent(request.jobId(), stage, JobStatus.RUNNING,
                        null, "queued for " + stageName + " again: the instance working on it stopped", null, null)));
        return Outcome.HANDED_OVER;
    }

    /** Waits for an event sent without waiting; a failure is the publisher's, as if it had been awaited. */
    private void awaitSent(CompletableFuture<Void> sent, StageRequest request) {
        try {
            sent.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("job " + request.jobId() + ": interrupted while waiting for the ack of RUNNING", true, e);
        } catch (TimeoutException e) {
            throw new PublishException("job " + request.jobId() + ": no ack of RUNNING within " + sendTimeout, true, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishException publish) {
                throw publish;
            }
            throw new PublishException("job " + request.jobId() + ": RUNNING was not published", true, e.getCause());
        }
    }

    private void publishEvent(StageRequest request, String status, String type, JobEvent event) {
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(eventId(request, stage, status), type, source, request.jobId(), event));
    }

    /** {@code <job>:<stage>:<what>}, with the dispatch attempt after the stage from the second on. */
    static String eventId(StageRequest request, Stage reporter, String what) {
        return request.jobId() + ":" + reporter.name().toLowerCase(Locale.ROOT)
                + (request.attempt() > 1 ? "@" + request.attempt() : "") + ":" + what;
    }
}
