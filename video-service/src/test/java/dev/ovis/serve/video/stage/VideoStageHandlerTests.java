package dev.ovis.serve.video.stage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.testing.RecordingStageContext;
import dev.ovis.serve.video.decode.VideoProperties;
import dev.ovis.serve.video.embed.DescriptorFrameEmbedder;
import dev.ovis.serve.video.keyframe.Mdp3KeyframeSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verdicts the stage gives before touching the video (the rest runs in VideoStageIT). */
class VideoStageHandlerTests {

    private static final MediaRef VIDEO = new MediaRef("b", "k", "video/mp4", "0".repeat(64), 10);

    private final VideoStageHandler handler = new VideoStageHandler(new KeyframeExtractor(null, null,
            new DescriptorFrameEmbedder(), new Mdp3KeyframeSelector(), VideoProperties.defaults()));

    @Test
    void refusesMoreKeyFramesThanTheLimit() {
        StageRequest request = request(JobPayload.of(new KeyframeTask(VIDEO, "q", 48, null)));

        assertThatThrownBy(() -> handler.handle(request, CONTEXT))
                .isInstanceOf(StageException.class)
                .hasMessage("asked for 48 key frames; the limit is 32")
                .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.VIDEO_LIMIT_EXCEEDED);
    }

    @Test
    void refusesJobsItDoesNotHandle() {
        StageRequest request = request(JobPayload.of(new OcrTask(VIDEO, List.of("en"), null)));

        assertThatThrownBy(() -> handler.handle(request, CONTEXT))
                .isInstanceOf(StageException.class)
                .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED_JOB);
    }

    private static StageRequest request(JobPayload payload) {
        return new StageRequest("job-1", "tenant", new Route(List.of(Stage.VIDEO)), Stage.VIDEO, null, payload);
    }

    private static final StageContext CONTEXT = new RecordingStageContext();
}
