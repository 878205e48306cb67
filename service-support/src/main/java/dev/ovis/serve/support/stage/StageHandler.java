package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;

/**
 * The work of one stage. Declare it as a bean and service-support does the rest: it consumes
 * {@code Topics.requests(stage())} in group {@code ovis-<stage>}, reports the job RUNNING, calls
 * {@link #handle}, then forwards, reports SUCCEEDED, FAILED or CANCELLED, and only then commits
 * the offset. See {@code docs/service-support.md}.
 */
public interface StageHandler {

    /** The stage this handler serves. */
    Stage stage();

    /**
     * Does the stage's work for one job. May block (it runs on a listener thread, never an event
     * loop) and should check {@link StageContext#cancelled()} between steps.
     *
     * @return {@link StageOutcome.Forward} to pass the job on along its route, or {@link
     *         StageOutcome.Complete} with the job's result when this is the last stage
     * @throws StageException a failure with its error code (transient codes are retried)
     */
    StageOutcome handle(StageRequest request, StageContext context) throws StageException;
}
