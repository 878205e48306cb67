package dev.ovis.serve.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptFormatterTests {

    static final MediaRef MEDIA = new MediaRef("b", "k", "image/png", "0".repeat(64), 1);
    private final PromptFormatter formatter = new PromptFormatter();

    @Test
    void singleImageMatchesTheReferenceStringExactly() throws PromptException {
        // given the card's single-image query
        List<ChatMessage> messages = List.of(new ChatMessage(Role.USER,
                List.of(ContentPart.image(MEDIA, null), ContentPart.text("Describe the image."))));

        // when
        String prompt = PromptFormatter.render(formatter.format(messages, false));

        // then (ovis2.md §5.1)
        assertThat(prompt).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n<image>\nDescribe the image.<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void ownSystemPromptAndHistoryAreTurnsInOrder() throws PromptException {
        List<ChatMessage> messages = List.of(
                new ChatMessage(Role.SYSTEM, List.of(ContentPart.text("Be brief."))),
                new ChatMessage(Role.USER, List.of(ContentPart.text("Hi"))),
                new ChatMessage(Role.ASSISTANT, List.of(ContentPart.text("Hello!"))),
                new ChatMessage(Role.USER, List.of(ContentPart.text("Why?"))));

        String prompt = PromptFormatter.render(formatter.format(messages, false));

        assertThat(prompt).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void interleavedPartsAreJoinedByNewlinesAndImagesBecomeSegments() throws PromptException {
        List<ChatMessage> messages = List.of(new ChatMessage(Role.USER, List.of(
                ContentPart.text("Image 1: "), ContentPart.image(MEDIA, null), ContentPart.text("Image 2: "),
                ContentPart.image(MEDIA, 4), ContentPart.text("What differs?"), ContentPart.image(MEDIA, 1),
                ContentPart.image(MEDIA, 1), ContentPart.text("Compare them."))));

        List<PromptSegment> segments = formatter.format(messages, false);

        // "label " + image stays on one line (card multi-image shape); otherwise parts are joined by newlines
        assertThat(PromptFormatter.render(segments)).contains(
                "user\nImage 1: <image>\nImage 2: <image>\nWhat differs?\n<image>\n<image>\nCompare them.<|im_end|>");
        assertThat(segments).filteredOn(s -> s instanceof PromptSegment.Image).extracting(s -> ((PromptSegment.Image) s).index())
                .containsExactly(0, 1, 2, 3);
    }

    @Test
    void literalImageMarkerInTextStaysText() throws PromptException {
        List<PromptSegment> segments = formatter.format(List.of(new ChatMessage(Role.USER,
                List.of(ContentPart.text("what does <image> mean?")))), false);
        assertThat(segments).allMatch(s -> s instanceof PromptSegment.Text);
    }

    @Test
    void reasoningAppendsTheChainOfThoughtInstructionToTheLastUserTurn() throws PromptException {
        List<ChatMessage> messages = List.of(
                new ChatMessage(Role.USER, List.of(ContentPart.text("first"))),
                new ChatMessage(Role.ASSISTANT, List.of(ContentPart.text("ok"))),
                new ChatMessage(Role.USER, List.of(ContentPart.text("2+2?"))));

        String prompt = PromptFormatter.render(formatter.format(messages, true));

        assertThat(prompt).contains("user\nfirst<|im_end|>")
                .contains("user\n2+2?\nProvide a step-by-step solution to the problem, and conclude with 'the answer is'"
                        + " followed by the final solution.<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void aVideoPartIsRejectedWithItsPosition() {
        List<ChatMessage> messages = List.of(new ChatMessage(Role.USER, List.of(ContentPart.video(MEDIA, 4))));
        assertThatThrownBy(() -> formatter.format(messages, false))
                .isInstanceOfSatisfying(PromptException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONTENT_PART))
                .hasMessageContaining("message 0 part 0");
    }
}
