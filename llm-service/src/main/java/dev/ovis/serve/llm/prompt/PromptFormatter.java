package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a conversation in the Ovis2 Qwen template (ovis2.md §5.1): one
 * {@code <|im_start|>role\n…<|im_end|>\n} turn per message, the default system prompt when the
 * conversation does not open with one, and an open assistant turn at the end.
 *
 * <p>Inside a turn the parts keep the client's order and are joined by {@code "\n"}, except that
 * a text part ending in whitespace runs straight into a following image. This reproduces the
 * reference's query shapes: image then text gives {@code "<image>\n{text}"} (single image),
 * consecutive images (video key frames) give {@code "<image>\n<image>\n{text}"}, and the card's
 * multi-image form {@code "Image 1: <image>\nImage 2: <image>\n{text}"} comes from the parts
 * {@code "Image 1: "}, image, {@code "Image 2: "}, image, text. The output is a list of segments,
 * not one string, so text that happens to contain {@code "<image>"} stays text instead of turning
 * into a placeholder.
 */
public final class PromptFormatter {

    /** The system prompt the reference inserts when the conversation has none. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";
    /** The chain-of-thought instruction appended to the last user turn in reasoning mode (§5.3). */
    public static final String REASONING_SUFFIX = "\nProvide a step-by-step solution to the problem, and conclude with"
            + " 'the answer is' followed by the final solution.";
    /** The literal that stands for an image in the rendered prompt string. */
    public static final String IMAGE_MARKER = "<image>";

    private static final String TURN_START = "<|im_start|>";
    private static final String TURN_END = "<|im_end|>\n";

    /**
     * Renders the conversation.
     *
     * @param messages  the conversation
     * @param reasoning whether to append {@link #REASONING_SUFFIX} to the last user turn
     * @return the segments: text runs and one {@link PromptSegment.Image} per image part, in order
     * @throws PromptException when a part cannot be rendered (a video not turned into frames)
     */
    public List<PromptSegment> format(List<ChatMessage> messages, boolean reasoning) throws PromptException {
        Builder out = new Builder();
        if (messages.isEmpty() || messages.getFirst().role() != Role.SYSTEM) {
            out.text(TURN_START + "system\n" + DEFAULT_SYSTEM_PROMPT + TURN_END);
        }
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role() == Role.USER) {
                lastUser = i;
            }
        }
        int imageIndex = 0;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            out.text(TURN_START + message.role().name().toLowerCase(Locale.ROOT) + "\n");
            List<ContentPart> parts = message.parts();
            for (int p = 0; p < parts.size(); p++) {
                ContentPart part = parts.get(p);
                if (p > 0 && !runsIntoImage(parts.get(p - 1), part)) {
                    out.text("\n");
                }
                switch (part.type()) {
                    case TEXT -> out.text(part.text());
                    case IMAGE -> out.image(new PromptSegment.Image(imageIndex++, part));
                    case VIDEO -> throw new PromptException(ErrorCode.INVALID_CONTENT_PART,
                            "message " + i + " part " + p + ": a video must be turned into key frames before the llm stage");
                }
            }
            if (reasoning && i == lastUser) {
                out.text(REASONING_SUFFIX);
            }
            out.text(TURN_END);
        }
        out.text(TURN_START + "assistant\n");
        return out.finish();
    }

    private static boolean runsIntoImage(ContentPart previous, ContentPart part) {
        return part.type() == PartType.IMAGE && previous.type() == PartType.TEXT && !previous.text().isEmpty()
                && Character.isWhitespace(previous.text().charAt(previous.text().length() - 1));
    }

    /** The prompt as one string, images shown as {@code <image>} (for logs and tests). */
    public static String render(List<PromptSegment> segments) {
        StringBuilder s = new StringBuilder();
        for (PromptSegment segment : segments) {
            s.append(segment instanceof PromptSegment.Text t ? t.text() : IMAGE_MARKER);
        }
        return s.toString();
    }

    /** Collects segments, merging adjacent text so each text run is tokenized in one piece. */
    private static final class Builder {
        private final List<PromptSegment> segments = new ArrayList<>();
        private final StringBuilder pending = new StringBuilder();

        void text(String text) {
            pending.append(text);
        }

        void image(PromptSegment.Image image) {
            flush();
            segments.add(image);
        }

        List<PromptSegment> finish() {
            flush();
            return List.copyOf(segments);
        }

        private void flush() {
            if (!pending.isEmpty()) {
                segments.add(new PromptSegment.Text(pending.toString()));
                pending.setLength(0);
            }
        }
    }
}
