package dev.ovis.serve.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of job gets its route from the planner. */
class RoutePlannerTests {

    private static final MediaRef IMAGE = new MediaRef("b", "k.png", "image/png", "a".repeat(64), 10);
    private static final MediaRef VIDEO = new MediaRef("b", "k.mp4", "video/mp4", "b".repeat(64), 10);

    @Test
    void aChatFollowsItsMedia() {
        assertThat(plan(chat(ContentPart.text("hi")))).isEqualTo("llm");
        assertThat(plan(chat(ContentPart.text("what is this"), ContentPart.image(IMAGE, null)))).isEqualTo("vision>llm");
        assertThat(plan(chat(ContentPart.video(VIDEO, 4), ContentPart.image(IMAGE, null)))).isEqualTo("video>vision>llm");
    }

    @Test
    void ocrAndKeyFramesHaveOneStageEach() {
        assertThat(plan(JobPayload.of(new OcrTask(IMAGE, List.of(), null)))).isEqualTo("ocr");
        assertThat(plan(JobPayload.of(new KeyframeTask(VIDEO, "", 8, null)))).isEqualTo("video");
    }

    private static String plan(JobPayload payload) {
        Route route = RoutePlanner.plan(payload);
        return route.toString();
    }

    private static JobPayload chat(ContentPart... parts) {
        return JobPayload.of(new ChatTask("m", List.of(new ChatMessage(Role.USER, List.of(parts))), SamplingParams.REFERENCE, false));
    }
}
