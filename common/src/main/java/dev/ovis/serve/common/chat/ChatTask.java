package dev.ovis.serve.common.chat;

import java.util.List;
import java.util.Objects;

/**
 * A chat completion job's work: the model, the conversation (media already in the object store)
 * and how to decode.
 *
 * @param model    the model id, as listed by {@code GET /v1/models}
 * @param messages the conversation, at least one message
 * @param sampling decoding settings
 * @param stream   whether the client wants tokens as they come (they go to the request's replyTo)
 */
public record ChatTask(String model, List<ChatMessage> messages, SamplingParams sampling, boolean stream) {

    public ChatTask {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("at least one message");
        }
        Objects.requireNonNull(sampling, "sampling");
    }

    /** Whether any part has the given type. */
    public boolean has(PartType type) {
        return messages.stream().flatMap(m -> m.parts().stream()).anyMatch(p -> p.type() == type);
    }

    /** The same task with other messages (stages enrich parts). */
    public ChatTask withMessages(List<ChatMessage> newMessages) {
        return new ChatTask(model, newMessages, sampling, stream);
    }
}
