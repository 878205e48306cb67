package dev.ovis.serve.common.job;

import java.util.Objects;

/**
 * A status report about a job, on {@link dev.ovis.serve.common.Topics#JOB_EVENTS}. The gateway
 * applies it to the job row if the transition is legal ({@link JobStatus#canMoveTo}); the envelope
 * id makes a redelivered event a no-op.
 *
 * @param jobId    the job
 * @param stage    the stage reporting
 * @param status   RUNNING (started or progress), SUCCEEDED, FAILED or CANCELLED
 * @param progress fraction done in [0, 1] for the whole job as far as the stage can tell, or {@code null}
 * @param message  a short human-readable note ("decoding 12/64"), or {@code null}
 * @param result   set when {@code status} is SUCCEEDED
 * @param failure  set when {@code status} is FAILED or CANCELLED
 */
public record JobEvent(String jobId, Stage stage, JobStatus status, Double progress, String message,
                       JobResult result, Failure failure) {

    public JobEvent {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(status, "status");
        if (status == JobStatus.QUEUED) {
            throw new IllegalArgumentException("stages never report QUEUED");
        }
        if (progress != null && (progress < 0 || progress > 1 || progress.isNaN())) {
            throw new IllegalArgumentException("progress must be in [0, 1]: " + progress);
        }
        if (status == JobStatus.SUCCEEDED && result == null) {
            throw new IllegalArgumentException("a SUCCEEDED event needs a result");
        }
        if ((status == JobStatus.FAILED || status == JobStatus.CANCELLED) && failure == null) {
            throw new IllegalArgumentException(status + " needs a failure reason");
        }
    }

    public static JobEvent started(String jobId, Stage stage) {
        return new JobEvent(jobId, stage, JobStatus.RUNNING, null, "started " + stage.name().toLowerCase(java.util.Locale.ROOT), null, null);
    }

    public static JobEvent progress(String jobId, Stage stage, double progress, String message) {
        return new JobEvent(jobId, stage, JobStatus.RUNNING, progress, message, null, null);
    }

    public static JobEvent succeeded(String jobId, Stage stage, JobResult result) {
        return new JobEvent(jobId, stage, JobStatus.SUCCEEDED, 1.0, null, result, null);
    }

    public static JobEvent failed(String jobId, Stage stage, Failure failure) {
        return new JobEvent(jobId, stage, JobStatus.FAILED, null, null, null, failure);
    }

    public static JobEvent cancelled(String jobId, Stage stage) {
        return new JobEvent(jobId, stage, JobStatus.CANCELLED, null, null, null,
                new Failure(dev.ovis.serve.common.error.ErrorCode.CANCELLED, "the job was cancelled"));
    }
}
