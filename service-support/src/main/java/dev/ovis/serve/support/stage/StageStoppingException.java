package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.Failure;

/**
 * A handler failed while the runtime was shutting down. The failure may only be the shutdown
 * closing resources under the handler, so the job is not reported: its record stays unacknowledged
 * and is delivered again to another instance.
 */
final class StageStoppingException extends RuntimeException {

    StageStoppingException(String jobId, Failure failure) {
        super("job " + jobId + " left for redelivery: the stage is stopping (the handler failed with "
                + failure.code() + ": " + failure.detail() + ")");
    }
}
