package dev.ovis.serve.gateway.route;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import java.util.List;

/**
 * The gateway's one routing policy: which stages a job passes through, decided from what it asks
 * for. Every way in (chat, {@code POST /v1/jobs}, OCR, key frames, batch) plans here; {@code common}
 * keeps only the {@link Route} data type, so the stages never decide where a job goes.
 */
public final class RoutePlanner {

    private static final Route LLM = new Route(List.of(Stage.LLM));
    private static final Route VISION_LLM = new Route(List.of(Stage.VISION, Stage.LLM));
    private static final Route VIDEO_VISION_LLM = new Route(List.of(Stage.VIDEO, Stage.VISION, Stage.LLM));
    private static final Route OCR = new Route(List.of(Stage.OCR));
    private static final Route KEYFRAMES = new Route(List.of(Stage.VIDEO));

    private RoutePlanner() {
    }

    /**
     * A chat follows its media (text only → llm; images → vision, llm; a video → video, vision,
     * llm); OCR → ocr; key frames → video.
     */
    public static Route plan(JobPayload payload) {
        return switch (payload) {
            case JobPayload.Chat chat -> chat(chat.task());
            case JobPayload.Ocr ocr -> OCR;
            case JobPayload.Keyframes keyframes -> KEYFRAMES;
        };
    }

    private static Route chat(ChatTask task) {
        if (task.has(PartType.VIDEO)) {
            return VIDEO_VISION_LLM;
        }
        if (task.has(PartType.IMAGE)) {
            return VISION_LLM;
        }
        return LLM;
    }
}
