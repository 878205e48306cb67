package dev.ovis.serve.video.stage;

import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;

/** The VIDEO stage for a KEYFRAMES job: completes it with the selected frames. */
public final class KeyframesStageHandler implements StageHandler<KeyframeTask> {

    private final KeyframeExtractor extractor;

    public KeyframesStageHandler(KeyframeExtractor extractor) {
        this.extractor = extractor;
    }

    @Override
    public Stage stage() {
        return Stage.VIDEO;
    }

    @Override
    public Class<KeyframeTask> taskType() {
        return KeyframeTask.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, KeyframeTask task, StageContext context) throws StageException {
        KeyframeResult result = extractor.extract(request.tenant(), task.media(), task.question(),
                task.frames(), task.segmentSize(), context, 0, 1);
        return StageOutcome.complete(JobResult.of(result));
    }
}
