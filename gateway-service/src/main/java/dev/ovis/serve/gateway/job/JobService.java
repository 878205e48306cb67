package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Priority;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.gateway.outbox.BrokerProbe;
import dev.ovis.serve.gateway.outbox.Outbox;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.observability.TraceParents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job machinery every API builds on (jobs, and chat streaming on top of it): submit a job
 * (row + outbox message in one transaction, idempotent under a key), read and list it, cancel
 * it, and watch its updates and stream chunks in-process. All methods are non-blocking; JDBC
 * runs on {@link BlockingSchedulers#db()}.
 */
@Service
public class JobService {

    static final String SOURCE = "gateway-service";
    static final int CHUNK_BUFFER_MINUTES = 10;
    static final int BROKER_RETRY_AFTER_SECONDS = 5;

    private final JobRepository jobs;
    private final Outbox outbox;
    private final TransactionTemplate transactions;
    private final BlockingSchedulers schedulers;
    private final JsonMapper json;
    private final JobSinks<Job> updates;
    private final JobSinks<StreamChunk> chunks;
    private final GatewayProperties properties;
    private final JobsProperties settings;
    private final MeterRegistry meters;
    private final TraceParents traces;
    private final BrokerProbe broker;
    private final WaitingClients waiting;

    JobService(JobRepository jobs, Outbox outbox, TransactionTemplate transactions, BlockingSchedulers schedulers,
               JsonMapper json, JobSinks<Job> updates, JobSinks<StreamChunk> chunks, GatewayProperties properties,
               JobsProperties settings, MeterRegistry meters, TraceParents traces, BrokerProbe broker, WaitingClients waiting) {
        this.jobs = jobs;
        this.outbox = outbox;
        this.transactions = transactions;
        this.schedulers = schedulers;
        this.json = json;
        this.updates = updates;
        this.chunks = chunks;
        this.properties = properties;
        this.settings = settings;
        this.meters = meters;
        this.traces = traces;
        this.broker = broker;
        this.waiting = waiting;
    }

    /** This instance's id: the {@code replyTo} of jobs whose output should stream to this gateway. */
    public String instanceId() {
        return properties.instanceId();
    }

    /**
     * Accepts a job: stores it QUEUED and queues a {@link StageRequest} for the route's first stage,
     * atomically. With an {@code idempotencyKey}, a repeat of the same request returns the first
     * job ({@code created = false}); the same key with another request fails with
     * {@link ErrorCode#IDEMPOTENCY_KEY_REUSED}.
     *
     * @param replyTo the gateway instance to stream output to ({@link #instanceId()}), or {@code null};
     *                when it is this instance, the job's chunks are buffered from now on for the
     *                first {@link #chunks} subscriber (for {@value #CHUNK_BUFFER_MINUTES} minutes)
     */
    public Mono<Submission> submit(String tenant, JobPayload payload, Route route, String idempotencyKey, String replyTo) {
        return submit(tenant, payload, route, idempotencyKey, replyTo, Priority.INTERACTIVE);
    }

    /**
     * {@link #submit(String, JobPayload, Route, String, String)} at {@code priority}: a
     * {@link Priority#BATCH} job (a batch line, a pipeline record) travels to the stages as such, and
     * is refused for now (503, transient) while {@code jobs.max-active-batch-per-kind} batch jobs of
     * its kind are in flight, so batch work never holds the whole suite.
     */
    public Mono<Submission> submit(String tenant, JobPayload payload, Route route, String idempotencyKey, String replyTo,
                                   Priority priority) {
        return blocking(() -> submitNow(tenant, payload, route, idempotencyKey, replyTo, priority))
                .doOnNext(submission -> {
                    if (submission.created()) {
                        Counter.builder("ovis.gateway.jobs.created").tag("kind", payload.kind().name().toLowerCase(Locale.ROOT))
                                .description("jobs accepted").register(meters).increment();
                    }
                });
    }

    /** The job {@code id} of {@code tenant}; 404 when missing or another tenant's. */
    public Mono<Job> find(String tenant, String id) {
        return blocking(() -> jobs.find(tenant, id).orElseThrow(() -> ApiException.notFound("job", id)));
    }

    /** A page of the tenant's jobs, newest first, optionally of one status. */
    public Mono<JobPage> page(String tenant, JobStatus status, int limit, String cursor) {
        PageCursor after = cursor == null || cursor.isBlank() ? null : PageCursor.decode(cursor);
        return blocking(() -> {
            List<Job> rows = jobs.page(tenant, status, after, limit + 1);
            if (rows.size() <= limit) {
                return new JobPage(rows, null);
            }
            List<Job> page = rows.subList(0, limit);
            return new JobPage(List.copyOf(page), PageCursor.of(page.getLast()).encode());
        });
    }

    /**
     * Cancels a QUEUED or RUNNING job: the row becomes CANCELLED and a {@link CancelRequest} goes to
     * every stage through the outbox, in one transaction. 409 when the job already finished.
     */
    public Mono<Job> cancel(String tenant, String id, String reason) {
        return blocking(() -> transactions.execute(status -> {
            Job job = jobs.find(tenant, id).orElseThrow(() -> ApiException.notFound("job", id));
            Job cancelled = jobs.transition(id, JobChange.cancelled(reason))
                    .orElseThrow(() -> new ApiException(ErrorCode.CONFLICT,
                            "job " + id + " is already " + jobs.find(tenant, id).orElse(job).status() + " and cannot be cancelled"));
            waiting.changed(cancelled);
            outbox.append(Topics.CONTROL, Envelope.withId(id + ":cancel", EventTypes.CANCEL, SOURCE, id,
                    new CancelRequest(id, reason)));
            return cancelled;
        })).doOnNext(job -> updates.emit(job.id(), job));
    }

    /**
     * The job's state now, then every change as it is applied, completing after a terminal state.
     * Changes come in-process from the events listener, and from PostgreSQL's notifications when
     * another gateway instance applied them ({@link JobNotifications}); a slow safety re-read of
     * the row ({@code jobs.events-poll-interval}) covers a notification lost while the listening
     * connection was down.
     */
    public Flux<Job> watch(String tenant, String id) {
        return find(tenant, id).flatMapMany(current -> {
            if (current.status().isTerminal()) {
                return Flux.just(current);
            }
            Duration interval = settings.eventsPollInterval();
            // a re-read that fails (the database restarting) must not end the stream: the next change or re-read comes
            Mono<Job> reread = blocking(() -> jobs.find(tenant, id)).flatMap(Mono::justOrEmpty).onErrorResume(e -> Mono.empty());
            Flux<Job> polled = Flux.interval(interval, interval).onBackpressureDrop().concatMap(tick -> reread, 1);
            // merge subscribes in order: the job's sink exists (and notifications for it are taken) before the
            // row is read once more, so a change committed between the first read and now is not left to the poll
            Flux<Job> later = Flux.merge(updates.subscribe(id), reread, polled).filter(newerThan(current.version()));
            return Flux.concat(Mono.just(current), later).takeUntil(job -> job.status().isTerminal());
        });
    }

    /**
     * The stream chunks of a job submitted with {@code replyTo = instanceId()}, in order, once each,
     * completing after the last one: the answer's last chunk, or a failure however the job ended
     * without one ({@link WaitingClients}). Chunks that arrive between the submit and this
     * subscription are buffered (see {@link #submit}).
     */
    public Flux<StreamChunk> chunks(String jobId) {
        return Flux.defer(() -> {
            long[] next = {0};
            return chunks.subscribe(jobId).filter(chunk -> {
                if (chunk.last() && chunk.failure() != null) {
                    return true; // a failure ends the stream whoever sent it (a stage or a gateway, seq 0)
                }
                if (chunk.seq() < next[0]) {
                    return false;
                }
                next[0] = chunk.seq() + 1;
                return true;
            }).takeUntil(StreamChunk::last);
        });
    }

    /**
     * Applies a stage's event once: records the envelope id and moves the row in one statement (a
     * terminal event with its announcements in one transaction). Empty when the event was seen
     * before or its transition is not legal any more. Blocking.
     */
    Optional<Job> apply(String envelopeId, JobEvent event) {
        return apply(envelopeId, EventTypes.JOB_PROGRESS, event);
    }

    /**
     * {@link #apply(String, JobEvent)} for an event of envelope type {@code type}. Every event of an
     * unfinished job also renews its lease, a redelivered one included (the stage that sent it is
     * alive); a {@link EventTypes#JOB_HEARTBEAT heartbeat} does only that.
     */
    Optional<Job> apply(String envelopeId, String type, JobEvent event) {
        if (EventTypes.JOB_HEARTBEAT.equals(type)) {
            jobs.renewLease(event.jobId(), settings.lease());
            return Optional.empty();
        }
        Duration lease = EventTypes.JOB_FORWARDED.equals(type) ? settings.queuedLease() : settings.lease();
        Optional<Job> applied;
        if (event.status().isTerminal()) {
            // the end and its announcements (outbox rows) in one transaction
            applied = transactions.execute(status -> {
                Optional<Job> changed = jobs.applyOnce(envelopeId, event.jobId(), JobChange.of(event), null);
                changed.ifPresent(this::ended);
                return changed;
            });
        } else {
            // one statement, committed on its own: the id recorded, the row moved and its lease renewed
            applied = jobs.applyOnce(envelopeId, event.jobId(), JobChange.of(event), lease);
            if (applied.isEmpty()) {
                jobs.renewLease(event.jobId(), lease); // seen before, or not legal any more: the stage is alive all the same
            }
        }
        applied.ifPresent(job -> updates.emit(job.id(), job));
        return applied;
    }

    /**
     * What follows a job's end, in the transaction that ended it: every stage is told (it skips a
     * request for the job that still arrives — the reaper's second dispatch after a slow worker, a
     * redelivery — and stops a run of it still under way), and a chat waiting for it gets its
     * closing chunk when it ended without an answer ({@link WaitingClients}).
     */
    void ended(Job job) {
        outbox.append(Topics.CONTROL, Envelope.withId(job.id() + ":finished", EventTypes.JOB_FINISHED, SOURCE, job.id(),
                CancelRequest.finished(job.id(), job.status())));
        waiting.changed(job);
    }

    /**
     * Fails a job whose record the gateway gave up on (kept on the dead-letter topic), with the
     * reason, and announces its end; empty when the job does not exist or has ended already. Blocking.
     */
    Optional<Job> failGivenUp(String jobId, String reason) {
        Optional<Job> failed = transactions.execute(status -> {
            Optional<Job> changed = jobs.transition(jobId, new JobChange(JobStatus.FAILED, null, null, null,
                    new Failure(ErrorCode.INTERNAL, reason)));
            changed.ifPresent(this::ended);
            return changed;
        });
        failed.ifPresent(job -> updates.emit(job.id(), job));
        return failed;
    }

    /** Tells in-process watchers of a change made outside {@link #apply} (the reaper's). */
    void emitUpdate(Job job) {
        updates.emit(job.id(), job);
    }

    /** Hands a chunk from the stream topic to whoever streams that job here. */
    void deliver(StreamChunk chunk) {
        chunks.emit(chunk.jobId(), chunk);
    }

    private Submission submitNow(String tenant, JobPayload payload, Route route, String key, String replyTo,
                                 Priority priority) {
        String hash = requestHash(payload, route);
        if (key != null) {
            Optional<Submission> earlier = earlier(tenant, key, hash);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        if (broker.brokerDown()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the message broker (Kafka) is unreachable, so the job could not be"
                    + " handed to a stage; retry later", Map.of("Retry-After", Long.toString(BROKER_RETRY_AFTER_SECONDS)));
        }
        String id = UUID.randomUUID().toString();
        JobRepository.Limits limits = new JobRepository.Limits(settings.maxActivePerKind(), settings.maxActive(tenant),
                settings.maxActiveBatchPerKind());
        try {
            // a span of its own: the database's share of a request's latency shows in its trace
            Job job = traces.inChildSpan("job submit", () -> transactions.execute(status -> {
                // backpressure and the insert in one statement: a refused job is not stored (nor anything after it)
                JobRepository.Admission admission = jobs.insertIfAdmitted(id, tenant, payload, route, key, hash, replyTo,
                        priority, Instant.now(), settings.queuedLease(), limits);
                if (admission.job() == null) {
                    throw refusal(admission.active(), limits, payload, priority);
                }
                Job inserted = admission.job();
                if (properties.instanceId().equals(replyTo)) {
                    chunks.open(id, Duration.ofMinutes(CHUNK_BUFFER_MINUTES)); // before the commit sends the request
                }
                StageRequest request = new StageRequest(id, tenant, route, route.first(), replyTo, payload, 1, priority);
                outbox.append(Topics.requests(route.first()), Envelope.withId(
                        id + ":" + route.first().name().toLowerCase(Locale.ROOT), EventTypes.STAGE_REQUEST, SOURCE, id, request));
                return inserted;
            }));
            return new Submission(job, true);
        } catch (DuplicateKeyException raced) {
            return earlier(tenant, key, hash).orElseThrow(() -> raced);
        }
    }

    /**
     * Backpressure at the door: a tenant with too many jobs in flight gets 429, a kind of job with too
     * many in flight in the whole suite gets 503 — both with Retry-After, and nothing stored. A batch
     * job also waits (503) while the kind has {@code max-active-batch-per-kind} batch jobs in flight.
     * Which limit refused it, from the counts {@link JobRepository#insertIfAdmitted} saw.
     */
    private ApiException refusal(JobRepository.Active active, JobRepository.Limits limits, JobPayload payload,
                                 Priority priority) {
        Map<String, String> retry = Map.of("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
        if (active.ofTenant() >= limits.ofTenant()) {
            return new ApiException(ErrorCode.RATE_LIMITED, "this tenant has " + active.ofTenant() + " " + payload.kind()
                    + " jobs queued or running, the most it may have; retry when some have finished", retry);
        }
        if (active.ofKind() >= limits.ofKind()) {
            return new ApiException(ErrorCode.UNAVAILABLE, "the suite has " + active.ofKind() + " " + payload.kind()
                    + " jobs queued or running, as many as it takes; retry later", retry);
        }
        if (priority == Priority.BATCH && active.batchOfKind() >= limits.batchOfKind()) {
            return new ApiException(ErrorCode.UNAVAILABLE, "the suite runs " + active.batchOfKind() + " batch " + payload.kind()
                    + " jobs, as many as batch work may hold beside interactive requests; retry later", retry);
        }
        // the counts were under every limit, yet the row was not inserted: cannot happen with one statement
        return new ApiException(ErrorCode.INTERNAL, "the job was neither stored nor refused by a limit", Map.of());
    }

    private Optional<Submission> earlier(String tenant, String key, String hash) {
        return jobs.findByIdempotencyKey(tenant, key).map(keyed -> {
            if (!keyed.requestHash().equals(hash)) {
                throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + key
                        + "' was used for job " + keyed.job().id() + " with a different request");
            }
            return new Submission(keyed.job(), false);
        });
    }

    /** What makes two requests "the same" for an idempotency key (not replyTo: a retry may reach another instance). */
    private String requestHash(JobPayload payload, Route route) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((route + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(json.writeValueAsBytes(payload));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static java.util.function.Predicate<Job> newerThan(int startVersion) {
        int[] last = {startVersion};
        return job -> {
            if (job.version() <= last[0]) {
                return false;
            }
            last[0] = job.version();
            return true;
        };
    }

    private <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(schedulers.db());
    }
}
