package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.List;

/**
 * The checks a chat must pass before any work is spent on it, the same whether it came as an
 * OpenAI body ({@code /v1/chat/completions}, {@code /v1/jobs} with {@code request}) or as a raw
 * {@link ChatTask} ({@code /v1/jobs} with {@code payload}): the model's capabilities, media parts
 * per request, and a prompt that cannot fit the model's context (a cheap lower bound on its tokens).
 */
final class ChatLimits {

    private final ChatProperties properties;

    ChatLimits(ChatProperties properties) {
        this.properties = properties;
    }

    /** Checks an OpenAI body already read by {@link ChatRequestReader}. */
    void check(ChatRequest request, ModelInfo model) {
        List<ChatRequest.Part> parts = request.messages().stream().flatMap(m -> m.parts().stream()).toList();
        capabilities(model, request.has(PartType.IMAGE), request.has(PartType.VIDEO));
        mediaCount(parts.stream().filter(p -> p.type() == PartType.IMAGE).count(),
                parts.stream().filter(p -> p.type() == PartType.VIDEO).count());
        context(parts.stream().filter(p -> p.type() == PartType.TEXT)
                .mapToLong(p -> utf8Length(p.text())).sum(), model);
    }

    /** Checks a raw chat task: everything {@link ChatRequestReader} and {@link #check(ChatRequest, ModelInfo)} enforce. */
    void check(ChatTask task, ModelInfo model) {
        if (task.sampling().maxTokens() > properties.maxTokensLimit()) {
            throw invalid("'payload.sampling.maxTokens' must be between 1 and " + properties.maxTokensLimit()
                    + ", was " + task.sampling().maxTokens());
        }
        List<ChatMessage> messages = task.messages();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            for (int j = 0; j < message.parts().size(); j++) {
                if (message.parts().get(j).type() != PartType.TEXT && message.role() != Role.USER) {
                    throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "'payload.messages[" + i + "].parts[" + j
                            + "]' media are accepted in USER messages only");
                }
            }
        }
        if (messages.getLast().role() == Role.ASSISTANT) {
            throw invalid("the last message must not be the assistant's: the model answers the conversation as it stands");
        }
        List<ContentPart> parts = messages.stream().flatMap(m -> m.parts().stream()).toList();
        capabilities(model, task.has(PartType.IMAGE), task.has(PartType.VIDEO));
        mediaCount(parts.stream().filter(p -> p.type() == PartType.IMAGE).count(),
                parts.stream().filter(p -> p.type() == PartType.VIDEO).count());
        context(parts.stream().filter(p -> p.type() == PartType.TEXT).mapToLong(p -> utf8Length(p.text())).sum(), model);
    }

    private static void capabilities(ModelInfo model, boolean images, boolean videos) {
        if (images && !model.capabilities().contains("image") || videos && !model.capabilities().contains("video")) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "model '" + model.id() + "' accepts "
                    + model.capabilities() + " only");
        }
    }

    private void mediaCount(long images, long videos) {
        if (images > properties.maxImages()) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "the request has " + images
                    + " image parts; at most " + properties.maxImages() + " are accepted");
        }
        if (videos > properties.maxVideos()) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "the request has " + videos
                    + " video parts; at most " + properties.maxVideos() + " are accepted");
        }
    }

    private void context(long textBytes, ModelInfo model) {
        long atLeast = textBytes / properties.bytesPerToken();
        if (atLeast >= model.contextLength()) {
            throw new ApiException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "This model's maximum context length is "
                    + model.contextLength() + " tokens. However, your messages resulted in at least " + atLeast
                    + " tokens (" + textBytes + " bytes of text). Please reduce the length of the messages.");
        }
    }

    /** UTF-8 length without encoding the string (a prompt may be megabytes). */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
