package dev.ovis.serve.common.job;

/**
 * Asks every stage to stop a job, on {@link dev.ovis.serve.common.Topics#CONTROL}. A stage that
 * holds the job stops it within one step and reports CANCELLED; the others ignore it.
 *
 * @param jobId  the job to stop
 * @param reason why (client disconnected, user cancelled)
 */
public record CancelRequest(String jobId, String reason) {

    public CancelRequest {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
    }
}
