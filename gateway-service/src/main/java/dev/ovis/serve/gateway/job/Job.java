package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobKind;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Priority;
import dev.ovis.serve.common.job.Route;
import java.time.Instant;

/**
 * A job as stored in the {@code jobs} table.
 *
 * @param id             job id (a UUID)
 * @param tenant         owner
 * @param kind           what is asked
 * @param route          the stages it passes through
 * @param status         where it stands
 * @param progress       fraction done, or {@code null} before any report
 * @param message        the latest note from a stage, or {@code null}
 * @param payload        the fully resolved request
 * @param result         set once SUCCEEDED
 * @param failure        set once FAILED or CANCELLED
 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
 * @param replyTo        the gateway instance that wants streamed output, or {@code null}
 * @param attempts       how many times the job was handed to its first stage
 * @param version        bumped by every applied change; a redelivered event leaves it alone
 * @param createdAt      accepted at
 * @param updatedAt      last change
 * @param finishedAt     reached a terminal state at, or {@code null}
 * @param priority       interactive, or batch (a batch line or pipeline record: yields to interactive work)
 */
public record Job(String id, String tenant, JobKind kind, Route route, JobStatus status, Double progress,
                  String message, JobPayload payload, JobResult result, Failure failure, String idempotencyKey,
                  String replyTo, int attempts, int version, Instant createdAt, Instant updatedAt, Instant finishedAt,
                  Priority priority) {
}
