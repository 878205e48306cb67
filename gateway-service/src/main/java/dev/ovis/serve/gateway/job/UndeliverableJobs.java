package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.gateway.outbox.OutboxMessage;
import dev.ovis.serve.gateway.outbox.UndeliverableMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Fails the job of an outbox row the relay gave up, in the relay's transaction: MEDIA_TOO_LARGE when
 * the broker refused the record for its size, UNAVAILABLE otherwise (the broker stayed unreachable).
 * A job that has already finished (a cancel message that could not be sent) is left as it is.
 */
@Component
class UndeliverableJobs implements UndeliverableMessages {

    private static final Logger log = LoggerFactory.getLogger(UndeliverableJobs.class);

    private final JobRepository jobs;
    private final JobSinks<Job> updates;
    private final WaitingClients waiting;

    UndeliverableJobs(JobRepository jobs, JobSinks<Job> updates, WaitingClients waiting) {
        this.jobs = jobs;
        this.updates = updates;
        this.waiting = waiting;
    }

    @Override
    public void undeliverable(OutboxMessage message, boolean tooLarge, String reason) {
        Failure failure = new Failure(tooLarge ? ErrorCode.MEDIA_TOO_LARGE : ErrorCode.UNAVAILABLE, "the job " + reason);
        jobs.transition(message.key(), new JobChange(JobStatus.FAILED, null, null, null, failure)).ifPresent(job -> {
            log.warn("Job {} failed: its message to {} {}", job.id(), message.topic(), reason);
            waiting.changed(job);
            if (TransactionSynchronizationManager.isSynchronizationActive()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        updates.emit(job.id(), job);
                    }
                });
            } else {
                updates.emit(job.id(), job);
            }
        });
    }
}
