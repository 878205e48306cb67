package dev.ovis.serve.video.stage;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.video.Keyframe;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The VIDEO stage for a CHAT job ({@link KeyframesStageHandler} does KEYFRAMES jobs): every VIDEO
 * part becomes IMAGE parts of its key frames — in temporal order, {@code maxPartition} 1, with
 * their times — and the job goes on to the vision stage; the user's text steers relevance (all
 * user turns joined by newlines, as the reference does).
 */
public final class ChatVideoStageHandler implements StageHandler<ChatTask> {

    private final KeyframeExtractor extractor;

    public ChatVideoStageHandler(KeyframeExtractor extractor) {
        this.extractor = extractor;
    }

    @Override
    public Stage stage() {
        return Stage.VIDEO;
    }

    @Override
    public Class<ChatTask> taskType() {
        return ChatTask.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, ChatTask task, StageContext context) throws StageException {
        return StageOutcome.forward(JobPayload.of(replaceVideos(request.tenant(), task, context)));
    }

    private ChatTask replaceVideos(String tenant, ChatTask chat, StageContext context) throws StageException {
        String question = chat.messages().stream()
                .filter(m -> m.role() == Role.USER)
                .flatMap(m -> m.parts().stream())
                .filter(p -> p.type() == PartType.TEXT)
                .map(ContentPart::text)
                .collect(Collectors.joining("\n"));
        long videos = chat.messages().stream().flatMap(m -> m.parts().stream())
                .filter(p -> p.type() == PartType.VIDEO).count();
        int done = 0;
        List<ChatMessage> messages = new ArrayList<>(chat.messages().size());
        for (ChatMessage message : chat.messages()) {
            List<ContentPart> parts = new ArrayList<>();
            for (ContentPart part : message.parts()) {
                if (part.type() != PartType.VIDEO) {
                    parts.add(part);
                    continue;
                }
                KeyframeResult result;
                try {
                    result = extractor.extract(tenant, part.media(), question, part.frames(), null, context,
                            (double) done / videos, (done + 1.0) / videos);
                } catch (StageException e) {
                    throw videos > 1 ? StageException.of("video " + (done + 1) + " of " + videos, e) : e;
                }
                for (Keyframe frame : result.frames()) {
                    parts.add(new ContentPart(PartType.IMAGE, null, frame.image(), 1, null, frame.timestamp(), null));
                }
                done++;
            }
            messages.add(new ChatMessage(message.role(), parts));
        }
        return chat.withMessages(messages);
    }
}
