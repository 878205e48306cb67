package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.gateway.outbox.Outbox;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells the request waiting for a job (a chat, whose gateway instance is the job's {@code replyTo})
 * that the job ended without an answer. A waiting request learns every outcome from one channel,
 * its instance's stream topic: the llm stage sends an answer's last chunk there itself, and a
 * failure or cancellation decided anywhere else (any stage's FAILED event, the reaper giving up, the
 * outbox giving up, a cancel) is sent here, as one last chunk carrying the failure, by whichever
 * gateway instance moves the row to that state, in the same transaction, so exactly once.
 * The job row stays the record for everyone else (async jobs, {@code /v1/jobs/{id}}).
 */
@Component
class WaitingClients {

    /** The envelope id of the closing chunk, once per job whoever sends it. */
    private static final String ENVELOPE_SUFFIX = ":ended";

    /** Looked up when used: the outbox's relay tells {@link UndeliverableJobs}, which tells this class. */
    private final ObjectProvider<Outbox> outbox;
    private final JobSinks<StreamChunk> chunks;
    private final String instanceId;

    WaitingClients(ObjectProvider<Outbox> outbox, JobSinks<StreamChunk> chunks, GatewayProperties properties) {
        this.outbox = outbox;
        this.chunks = chunks;
        this.instanceId = properties.instanceId();
    }

    /**
     * Called inside the transaction that moved {@code job} to its new state; does nothing unless the
     * job just ended without an answer and a request waits for it.
     */
    void changed(Job job) {
        if (job.replyTo() == null || !job.status().isTerminal() || job.status() == JobStatus.SUCCEEDED) {
            return; // an answer's last chunk comes from the llm stage, with its text
        }
        Failure failure = job.failure() != null ? job.failure()
                : new Failure(ErrorCode.INTERNAL, "job " + job.id() + " ended " + job.status() + " without a reason");
        // seq 0: a closing failure ends a stream whatever came before it (JobService#chunks)
        StreamChunk last = new StreamChunk(job.id(), 0, "", List.of(), true, null, null, failure);
        if (instanceId.equals(job.replyTo())) {
            // the waiting request is on this instance: no trip through Kafka, once the change is stored
            if (!TransactionSynchronizationManager.isSynchronizationActive()) {
                chunks.emit(job.id(), last);
                return;
            }
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    chunks.emit(job.id(), last);
                }
            });
        } else {
            outbox.getObject().append(Topics.stream(job.replyTo()), Envelope.withId(job.id() + ENVELOPE_SUFFIX, EventTypes.STREAM_CHUNK,
                    JobService.SOURCE, job.id(), last));
        }
    }
}
