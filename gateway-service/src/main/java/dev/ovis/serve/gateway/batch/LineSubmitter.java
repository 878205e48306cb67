package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Priority;
import dev.ovis.serve.gateway.job.ChatRequests;
import dev.ovis.serve.gateway.job.JobService;
import dev.ovis.serve.gateway.job.Submission;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * Submits one line — of a batch file or a pipeline record — as a job under an idempotency key, or
 * says why it cannot: the refusal its endpoint would answer, or a transient one (the suite's
 * backpressure, 429/503 — batch jobs also wait while {@code jobs.max-active-batch-per-kind} are in
 * flight — or a store that is down) after which the caller leaves the line for a later tick. Jobs are
 * submitted at {@link Priority#BATCH}, so the stages admit interactive work first. Blocking: the runners call it from their scheduled threads.
 */
final class LineSubmitter {

    sealed interface Outcome {
    }

    record Submitted(String jobId) implements Outcome {
    }

    record Refused(ErrorCode code, String detail) implements Outcome {
        boolean retryLater() {
            return code.isTransient();
        }
    }

    private final LineRequests requests;
    private final JobService jobs;
    private final Duration prepareTimeout;

    LineSubmitter(LineRequests requests, JobService jobs, Duration prepareTimeout) {
        this.requests = requests;
        this.jobs = jobs;
        this.prepareTimeout = prepareTimeout;
    }

    Outcome submit(String tenant, String endpoint, JsonNode body, String idempotencyKey) {
        try {
            ChatRequests.Prepared prepared = requests.prepare(tenant, endpoint, body).block(prepareTimeout);
            Submission submission = jobs.submit(tenant, prepared.payload(), prepared.route(), idempotencyKey, null,
                            Priority.BATCH)
                    .block(Duration.ofSeconds(30));
            return new Submitted(submission.job().id());
        } catch (ApiException refused) {
            return new Refused(refused.code(), refused.detail());
        } catch (ObjectStoreException failed) {
            return new Refused(failed.code(), failed.getMessage());
        } catch (IllegalArgumentException | NullPointerException invalid) {
            // a task record's own rule (compact constructor), as the endpoint would answer it
            return new Refused(ErrorCode.INVALID_REQUEST, invalid.getMessage());
        }
    }
}
