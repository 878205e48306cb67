package dev.ovis.serve.common.job;

/**
 * Asks every stage to stop a job, on {@link dev.ovis.serve.common.Topics#CONTROL}. A stage that
 * holds the job stops it within one step and reports CANCELLED; the others ignore it.
 *
 * <p>With {@code finished} set it announces instead that the job ended with that status (the
 * gateway sends it when it records the job's terminal state): a stage then skips any request for
 * the job it still gets (a duplicate dispatch, a redelivery) without running it or reporting
 * anything, and a stage still running it (a worker that was only slow) stops and reports nothing.
 * The field is additive: a stage that predates it takes the message for a cancellation, which stops
 * such a duplicate too.
 *
 * @param jobId    the job to stop
 * @param reason   why (client disconnected, user cancelled, job finished)
 * @param finished the terminal status the job ended with, or {@code null} for a cancellation
 */
public record CancelRequest(String jobId, String reason, JobStatus finished) {

    public CancelRequest {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
        if (finished != null && !finished.isTerminal()) {
            throw new IllegalArgumentException("finished must be a terminal status: " + finished);
        }
    }

    /** A cancellation. */
    public CancelRequest(String jobId, String reason) {
        this(jobId, reason, null);
    }

    /** The announcement that {@code jobId} ended with {@code status}. */
    public static CancelRequest finished(String jobId, JobStatus status) {
        return new CancelRequest(jobId, "job " + status.name().toLowerCase(java.util.Locale.ROOT), status);
    }

    /** Whether this announces a finished job rather than asking to cancel one. */
    public boolean announcesFinished() {
        return finished != null;
    }
}
