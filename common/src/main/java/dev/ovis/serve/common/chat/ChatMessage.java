package dev.ovis.serve.common.chat;

import java.util.List;
import java.util.Objects;

/**
 * One turn of a conversation.
 *
 * @param role  who speaks
 * @param parts the content, in order (text and media interleaved as the client sent them)
 */
public record ChatMessage(Role role, List<ContentPart> parts) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
    }
}
