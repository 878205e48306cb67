package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import java.util.Objects;

/**
 * A change to apply to a job row through {@link JobRepository#transition}: the target status
 * and what comes with it. {@code null} fields leave the stored value alone.
 */
record JobChange(JobStatus target, Double progress, String message, JobResult result, Failure failure) {

    JobChange {
        Objects.requireNonNull(target, "target");
    }

    /** The change a stage's event asks for. */
    static JobChange of(JobEvent event) {
        Double progress = event.status() == JobStatus.SUCCEEDED && event.progress() == null ? Double.valueOf(1.0) : event.progress();
        return new JobChange(event.status(), progress, event.message(), event.result(), event.failure());
    }

    /** A cancellation asked by the client. */
    static JobChange cancelled(String reason) {
        return new JobChange(JobStatus.CANCELLED, null, reason, null, new Failure(ErrorCode.CANCELLED, reason));
    }
}
