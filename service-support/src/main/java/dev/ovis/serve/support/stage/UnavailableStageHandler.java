package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import java.util.Locale;

/**
 * Stands in for a stage whose capability is missing from this deployment (no {@link StageHandler}
 * bean, but {@code ovis.stage.name} is set): it fails every job with UNSUPPORTED_JOB and a clear
 * detail, so a job sent here is answered instead of waiting forever.
 */
public final class UnavailableStageHandler implements StageHandler<Object> {

    private final Stage stage;

    public UnavailableStageHandler(Stage stage) {
        this.stage = stage;
    }

    @Override
    public Stage stage() {
        return stage;
    }

    /** Every task: whatever the job, the answer is that the stage is missing. */
    @Override
    public Class<Object> taskType() {
        return Object.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, Object task, StageContext context) throws StageException {
        String name = stage.name().toLowerCase(Locale.ROOT);
        throw new StageException(ErrorCode.UNSUPPORTED_JOB, "the " + name + " stage is not available in this deployment: "
                + "the " + name + "-service runs without a handler for it (its capability is not built or not enabled)");
    }
}
