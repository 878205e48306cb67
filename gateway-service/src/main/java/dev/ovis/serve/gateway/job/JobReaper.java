package dev.ovis.serve.gateway.job;

import dev.ovis.serve.gateway.PeriodicTask;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.gateway.outbox.Outbox;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recovers jobs whose worker vanished. Every event and heartbeat of a job's stage pushes its
 * {@code lease_until} forward ({@link JobService#apply}); a QUEUED or RUNNING job whose lease
 * expired has nobody working on it any more (the process was killed, its host lost, its request
 * consumed by nobody). The reaper dispatches such a job again through the outbox, counting
 * {@code jobs.attempts}, and fails it once {@code ovis.gateway.jobs.max-attempts} dispatches were
 * lost, keeping the last request on {@code ovis.dead-letters.v1} with the reason. Safe with any number of gateway instances: the expired rows are locked with {@code FOR
 * UPDATE SKIP LOCKED}, so each is taken by one reaper, in the same transaction as its new lease and
 * its outbox row.
 */
@Component
public class JobReaper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobReaper.class);

    private final JobRepository jobs;
    private final Outbox outbox;
    private final TransactionTemplate transactions;
    private final JobService service;
    private final EnvelopeJson envelopes;
    private final JobsProperties settings;
    private final Counter redispatched;
    private final Counter lost;
    private final PeriodicTask task = new PeriodicTask("job-reaper");

    JobReaper(JobRepository jobs, Outbox outbox, TransactionTemplate transactions, JobService service,
              JobsProperties settings, MeterRegistry meters, EnvelopeJson envelopes) {
        this.envelopes = envelopes;
        this.jobs = jobs;
        this.outbox = outbox;
        this.transactions = transactions;
        this.service = service;
        this.settings = settings;
        this.redispatched = Counter.builder("ovis.gateway.jobs.redispatched")
                .description("jobs dispatched again because their lease expired").register(meters);
        this.lost = Counter.builder("ovis.gateway.jobs.lost")
                .description("jobs failed because every dispatch's worker was lost").register(meters);
    }

    /**
     * One round: takes up to {@code reaper-batch-size} expired jobs and dispatches each again, or
     * fails it after its last attempt. Returns the jobs changed. Blocking.
     */
    public List<Job> reapOnce() {
        List<Job> changed = transactions.execute(status -> {
            List<Job> done = new ArrayList<>();
            for (Job job : jobs.lockExpired(settings.reaperBatchSize())) {
                if (job.attempts() >= settings.maxAttempts()) {
                    giveUp(job).ifPresent(done::add);
                } else {
                    redispatch(job).ifPresent(done::add);
                }
            }
            return done;
        });
        changed.forEach(job -> service.emitUpdate(job));
        return changed;
    }

    private Optional<Job> redispatch(Job job) {
        int next = job.attempts() + 1;
        String note = "worker lost (no heartbeat for " + leaseOf(job).toSeconds() + " s); dispatched again, attempt "
                + next + " of " + settings.maxAttempts();
        Optional<Job> updated = jobs.redispatched(job.id(), settings.queuedLease(), note);
        updated.ifPresent(row -> {
            // The same request the job was accepted with (the row keeps it resolved), numbered so the
            // new attempt's events are not taken for redeliveries of the lost attempt's.
            StageRequest request = new StageRequest(job.id(), job.tenant(), job.route(), job.route().first(),
                    job.replyTo(), job.payload(), next, job.priority());
            outbox.append(Topics.requests(request.stage()),
                    Envelope.withId(request.idPrefix(), EventTypes.STAGE_REQUEST, JobService.SOURCE, job.id(), request));
            redispatched.increment();
            log.warn("Job {}: {}", job.id(), note);
        });
        return updated;
    }

    private Optional<Job> giveUp(Job job) {
        String reason = "worker lost " + job.attempts() + " times: no stage reported on the job for "
                + leaseOf(job).toSeconds() + " s after attempt " + job.attempts() + " of " + settings.maxAttempts();
        Optional<Job> failed = jobs.transition(job.id(),
                new JobChange(JobStatus.FAILED, null, reason, null, new Failure(ErrorCode.UNAVAILABLE, reason)));
        failed.ifPresent(row -> {
            // A worker that was only slow, not gone, stops instead of working for nobody, a request
            // still queued for the job is skipped, and a chat waiting for it is told
            service.ended(row);
            // The request every dispatch of which lost its worker (it may be what kills them): kept
            // for an operator, with the reason, instead of only a line in one gateway's log
            StageRequest last = new StageRequest(job.id(), job.tenant(), job.route(), job.route().first(),
                    job.replyTo(), job.payload(), job.attempts(), job.priority());
            Envelope<StageRequest> request = Envelope.withId(last.idPrefix(), EventTypes.STAGE_REQUEST, JobService.SOURCE,
                    job.id(), last);
            outbox.append(Topics.DEAD_LETTERS, Envelope.withId(job.id() + ":dead-letter", EventTypes.DEAD_LETTER,
                    JobService.SOURCE, job.id(), new DeadLetter(job.id(), reason, "gateway job reaper",
                            Topics.requests(last.stage()).name(), EventTypes.STAGE_REQUEST,
                            envelopes.mapper().writeValueAsString(request))));
            lost.increment();
            log.warn("Job {}: failed, {}", job.id(), reason);
        });
        return failed;
    }

    /** The lease that expired, for the message: a job nobody started had the queued one. */
    private Duration leaseOf(Job job) {
        return job.status() == JobStatus.QUEUED ? settings.queuedLease() : settings.lease();
    }

    private void reapSafely() {
        try {
            reapOnce();
        } catch (RuntimeException e) { // database down: the next round tries again
            log.warn("Job reaper round failed: {}", e.toString());
        }
    }

    @Override
    public void start() {
        task.start(this::reapSafely, settings.reaperInterval(), settings.reaperInterval());
    }

    @Override
    public void stop() {
        task.stop(Duration.ofSeconds(10));
    }

    @Override
    public boolean isRunning() {
        return task.running();
    }

    /** Stops before the outbox relay (which stops at DEFAULT_PHASE - 1000), so what it appends is published. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 500;
    }
}
