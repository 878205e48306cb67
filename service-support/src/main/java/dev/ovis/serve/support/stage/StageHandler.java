package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;

/**
 * The work of one stage on one kind of job: takes the job's task, returns what happens next.
 * Declare it as a bean and service-support does the rest: it consumes {@code
 * Topics.requests(stage())} in group {@code ovis-<stage>}, reports the job RUNNING, calls {@link
 * #handle} with the request's task, then forwards, reports SUCCEEDED, FAILED or CANCELLED, and only
 * then commits the offset. A stage that takes several kinds declares one handler per kind (the
 * video stage: chat and key frames); a request whose task no handler of the stage takes fails
 * with UNSUPPORTED_JOB before any handler runs. See {@code docs/service-support.md}.
 *
 * @param <T> the task this handler takes ({@link JobPayload#task()}): {@code ChatTask}, {@code
 *            OcrTask} or {@code KeyframeTask}
 */
public interface StageHandler<T> {

    /** The stage this handler serves. */
    Stage stage();

    /** The class of the tasks this handler takes; the runtime hands it no other. */
    Class<T> taskType();

    /**
     * Does the stage's work for one job. May block (it runs on a listener thread, never an event
     * loop) and should check {@link StageContext#cancelled()} between steps.
     *
     * @param task the request's task ({@code request.payload().task()}), of {@link #taskType()}
     * @return {@link StageOutcome.Forward} to pass the job on along its route, or {@link
     *         StageOutcome.Complete} with the job's result when this is the last stage
     * @throws StageException a failure with its error code (transient codes are retried)
     */
    StageOutcome handle(StageRequest request, T task, StageContext context) throws StageException;
}
