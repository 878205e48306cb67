package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import java.util.List;

/**
 * A validated {@code POST /v1/chat/completions} body, before its media are resolved.
 *
 * @param model        the model id
 * @param messages     the conversation
 * @param sampling     decoding settings
 * @param stream       answer as server-sent events
 * @param includeUsage with {@code stream}: a last chunk carrying usage
 */
record ChatRequest(String model, List<Message> messages, SamplingParams sampling, boolean stream, boolean includeUsage) {

    /** Whether any part is of {@code type}. */
    boolean has(PartType type) {
        return messages.stream().flatMap(m -> m.parts().stream()).anyMatch(p -> p.type() == type);
    }

    /**
     * @param role  who speaks
     * @param parts content in order
     */
    record Message(Role role, List<Part> parts) {
    }

    /**
     * @param type         TEXT, IMAGE or VIDEO
     * @param text         TEXT: the text
     * @param source       IMAGE/VIDEO: an https URL, a data URI or a media id from {@code POST /v1/media}
     * @param maxPartition IMAGE: Ovis2 max_partition (1–12) or {@code null}
     * @param frames       VIDEO: key frames to keep or {@code null}
     * @param path         where the part sits in the request, for error messages ({@code messages[1].content[0]})
     */
    record Part(PartType type, String text, String source, Integer maxPartition, Integer frames, String path) {
    }
}
