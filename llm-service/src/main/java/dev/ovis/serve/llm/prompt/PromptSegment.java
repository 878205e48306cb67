package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.ContentPart;

/** A piece of a rendered prompt: a run of template and user text, or one image. */
public sealed interface PromptSegment {

    /** Text tokenized as one piece (BPE never merges across an image). */
    record Text(String text) implements PromptSegment {
    }

    /**
     * An image of the conversation.
     *
     * @param index the image's position among the prompt's images (0, 1, …)
     * @param part  the IMAGE part, with its visual embeddings once the vision stage ran
     */
    record Image(int index, ContentPart part) implements PromptSegment {
    }
}
