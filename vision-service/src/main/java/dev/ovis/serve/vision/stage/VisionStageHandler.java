package dev.ovis.serve.vision.stage;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;
import dev.ovis.serve.support.storage.ObjectStoreException;
import dev.ovis.serve.support.image.InvalidImageException;
import dev.ovis.serve.vision.preprocess.PreprocessProperties;
import dev.ovis.serve.vision.tokenizer.TokenizationException;
import java.util.ArrayList;
import java.util.List;

/**
 * The VISION stage: for a chat job, embeds every IMAGE part in prompt order (video key frames with
 * max_partition 1, other images with theirs or the deployment's default, {@code
 * ovis.vision.preprocess.default-max-partition}, 9 unless set), attaches where the embeddings are to the part,
 * reports progress per image and forwards the job. A bad image fails the job naming it
 * ("image 2 of 3: …") with the decoder's code.
 */
public final class VisionStageHandler implements StageHandler<ChatTask> {

    private final ImageEmbedder embedder;
    /** max_partition of a still image whose request names none. */
    private final int defaultMaxPartition;

    public VisionStageHandler(ImageEmbedder embedder, PreprocessProperties preprocess) {
        this.embedder = embedder;
        this.defaultMaxPartition = preprocess.defaultMaxPartition();
    }

    @Override
    public Stage stage() {
        return Stage.VISION;
    }

    @Override
    public Class<ChatTask> taskType() {
        return ChatTask.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, ChatTask chat, StageContext context) throws StageException {
        long images = chat.messages().stream().flatMap(m -> m.parts().stream()).filter(p -> p.type() == PartType.IMAGE).count();
        int done = 0;
        List<ChatMessage> messages = new ArrayList<>(chat.messages().size());
        for (ChatMessage message : chat.messages()) {
            List<ContentPart> parts = new ArrayList<>(message.parts().size());
            for (ContentPart part : message.parts()) {
                if (part.type() == PartType.VIDEO) {
                    throw new StageException(ErrorCode.INVALID_CONTENT_PART,
                            "a VIDEO part reached the vision stage: route video jobs through the video stage first");
                }
                if (part.type() != PartType.IMAGE) {
                    parts.add(part);
                    continue;
                }
                if (context.cancelled()) {
                    throw new StageException(ErrorCode.CANCELLED, "cancelled after " + done + " of " + images + " images");
                }
                String which = "image " + (done + 1) + " of " + images;
                ImageEmbedder.Result result = embed(request.tenant(), part, which);
                parts.add(part.withVisual(result.embeddings()));
                done++;
                context.progress((double) done / images, which + " embedded" + (result.cached() ? " (cached)" : ""));
            }
            messages.add(new ChatMessage(message.role(), parts));
        }
        return StageOutcome.forward(JobPayload.of(chat.withMessages(messages)));
    }

    private ImageEmbedder.Result embed(String tenant, ContentPart part, String which) throws StageException {
        int maxPartition = part.maxPartition() != null ? part.maxPartition()
                : part.frameTime() != null ? 1 : defaultMaxPartition;
        try {
            return embedder.embed(tenant, part.media(), maxPartition);
        } catch (InvalidImageException | ObjectStoreException e) {
            throw StageException.of(which, e);
        } catch (TokenizationException e) {
            throw new StageException(e.shutdown() ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL, which + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StageException(ErrorCode.UNAVAILABLE, which + ": interrupted (the service is shutting down)", e);
        }
    }
}
