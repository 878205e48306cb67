package dev.ovis.serve.video.stage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.testing.RecordingStageContext;
import dev.ovis.serve.video.decode.VideoProperties;
import dev.ovis.serve.video.embed.DescriptorFrameEmbedder;
import dev.ovis.serve.video.keyframe.Mdp3KeyframeSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Verdicts the stage gives before touching the video (the rest runs in VideoStageIT; a job of a
 * kind the stage does not handle is the stage runtime's, see StageProcessorTests).
 */
class KeyframesStageHandlerTests {

    private static final MediaRef VIDEO = new MediaRef("b", "k", "video/mp4", "0".repeat(64), 10);

    private final KeyframesStageHandler handler = new KeyframesStageHandler(new KeyframeExtractor(null, null,
            new DescriptorFrameEmbedder(), new Mdp3KeyframeSelector(), VideoProperties.defaults()));

    @Test
    void refusesMoreKeyFramesThanTheLimit() {
        KeyframeTask task = new KeyframeTask(VIDEO, "q", 48, null);
        StageRequest request = new StageRequest("job-1", "tenant", new Route(List.of(Stage.VIDEO)), Stage.VIDEO, null,
                JobPayload.of(task));

        assertThatThrownBy(() -> handler.handle(request, task, CONTEXT))
                .isInstanceOf(StageException.class)
                .hasMessage("asked for 48 key frames; the limit is 32")
                .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.VIDEO_LIMIT_EXCEEDED);
    }

    private static final StageContext CONTEXT = new RecordingStageContext();
}
