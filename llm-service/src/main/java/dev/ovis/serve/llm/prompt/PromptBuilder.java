package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.layout.ImageLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversation → {@link Prompt}: renders the template, tokenizes each text run on its own (the
 * reference splits on {@code <image>} so BPE never merges across an image), expands each image into
 * its {@link ImageLayout#placeholders()} and checks the result fits the usable context before any
 * compute runs.
 */
public final class PromptBuilder {

    private final PromptFormatter formatter = new PromptFormatter();
    private final PromptTokenizer tokenizer;
    private final String modelId;
    private final int hidden;

    /**
     * @param tokenizer the model's tokenizer
     * @param modelId   the loaded model (visual embeddings must come from it)
     * @param hidden    the LLM hidden size (visual embeddings must have it)
     */
    public PromptBuilder(PromptTokenizer tokenizer, String modelId, int hidden) {
        this.tokenizer = tokenizer;
        this.modelId = modelId;
        this.hidden = hidden;
    }

    /**
     * Builds the prompt.
     *
     * @param messages      the conversation
     * @param reasoning     append the chain-of-thought instruction to the last user turn
     * @param usableContext the most positions a prompt may take (see {@link ContextPolicy})
     * @throws PromptException INVALID_CONTENT_PART for an image without (matching) embeddings,
     *                         CONTEXT_LENGTH_EXCEEDED when the prompt does not fit
     */
    public Prompt build(List<ChatMessage> messages, boolean reasoning, int usableContext) throws PromptException {
        List<PromptSegment> segments = formatter.format(messages, reasoning);
        List<Integer> ids = new ArrayList<>();
        List<VisualEmbeddings> images = new ArrayList<>();
        int textTokens = 0;
        int positions = 0;
        for (PromptSegment segment : segments) {
            switch (segment) {
                case PromptSegment.Text text -> {
                    for (int id : tokenizer.encode(text.text())) {
                        ids.add(id);
                    }
                }
                case PromptSegment.Image image -> {
                    VisualEmbeddings visual = checkedVisual(image);
                    images.add(visual);
                    ids.addAll(visual.layout().placeholders());
                    positions += visual.layout().positions();
                }
            }
        }
        for (int id : ids) {
            if (id >= 0) {
                textTokens++;
            }
        }
        positions += textTokens;
        int[] expanded = ids.stream().mapToInt(Integer::intValue).toArray();
        Prompt prompt = new Prompt(expanded, images, positions, textTokens);
        checkInvariants(prompt);
        if (positions > usableContext) {
            throw new PromptException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "the prompt needs " + positions
                    + " positions (" + textTokens + " text, " + prompt.visualPositions() + " visual in "
                    + images.size() + " image(s)) but at most " + usableContext
                    + " fit (context length minus at least one position for the answer)");
        }
        return prompt;
    }

    private VisualEmbeddings checkedVisual(PromptSegment.Image image) throws PromptException {
        ContentPart part = image.part();
        VisualEmbeddings visual = part.visual();
        String which = "image " + (image.index() + 1);
        if (visual == null) {
            throw new PromptException(ErrorCode.INVALID_CONTENT_PART,
                    which + " has no visual embeddings (the job's route must run the vision stage first)");
        }
        if (!modelId.equals(visual.modelId())) {
            throw new PromptException(ErrorCode.INVALID_CONTENT_PART, which + ": visual embeddings come from model '"
                    + visual.modelId() + "' but this service runs '" + modelId + "'");
        }
        if (visual.hidden() != hidden) {
            throw new PromptException(ErrorCode.INVALID_CONTENT_PART, which + ": visual embeddings have width "
                    + visual.hidden() + " but the model's hidden size is " + hidden);
        }
        return visual;
    }

    /** ovis2.md §12.3: atoms match crops, indicators are known, and the counts add up. */
    private static void checkInvariants(Prompt prompt) {
        int atoms = 0;
        int indicators = 0;
        int text = 0;
        for (int id : prompt.ids()) {
            if (id == ImageLayout.ATOM) {
                atoms++;
            } else if (id < 0) {
                ImageLayout.indicatorIndex(id);
                indicators++;
            } else {
                text++;
            }
        }
        if (atoms != prompt.crops()) {
            throw new IllegalStateException("placeholder atoms " + atoms + " != crops " + prompt.crops());
        }
        int expected = text + indicators + ImageLayout.TOKENS_PER_CROP * atoms;
        if (expected != prompt.positions() || text != prompt.textTokens()) {
            throw new IllegalStateException("prompt positions " + prompt.positions() + " != " + expected);
        }
    }
}
