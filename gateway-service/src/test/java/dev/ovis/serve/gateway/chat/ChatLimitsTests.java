package dev.ovis.serve.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The checks both ways into a chat share: context lower bound, media counts, raw-task rules. */
class ChatLimitsTests {

    private final ChatLimits limits = new ChatLimits(new ChatProperties(1024, 8192, Duration.ofMinutes(10),
            DataSize.ofMegabytes(72), 16, 2, 4, 32));
    private final ModelInfo model = new ModelInfo("m", "ovis2-1b", 1000, List.of("text", "image", "video"), false, Instant.now());
    private final MediaRef image = new MediaRef("b", "t/media/x", "image/png", "a".repeat(64), 10);

    @Test
    void aPromptWhoseBytesAloneExceedTheContextIsRefusedInOpenAisTerms() {
        // given 32 000 bytes of text: at least 1000 tokens at 32 bytes per token, the whole context
        ChatTask task = task(new ChatMessage(Role.USER, List.of(ContentPart.text("x".repeat(32_000)))));

        assertThatThrownBy(() -> limits.check(task, model)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED);
            assertThat(e.detail()).contains("maximum context length is 1000 tokens", "at least 1000 tokens");
        });
        assertThatCode(() -> limits.check(task(new ChatMessage(Role.USER, List.of(ContentPart.text("x".repeat(31_999))))), model))
                .doesNotThrowAnyException();
    }

    @Test
    void multiByteTextCountsItsUtf8Bytes() {
        assertThat(ChatLimits.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
    }

    @Test
    void moreImagesOrVideosThanAllowedAreRefused() {
        List<ContentPart> images = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            images.add(ContentPart.image(image, null));
        }
        assertThatThrownBy(() -> limits.check(task(new ChatMessage(Role.USER, images)), model))
                .hasMessageContaining("17 image parts");
        assertThatThrownBy(() -> limits.check(task(new ChatMessage(Role.USER, List.of(ContentPart.video(image, null),
                ContentPart.video(image, null), ContentPart.video(image, null)))), model))
                .hasMessageContaining("3 video parts");
    }

    @Test
    void aRawTaskMeetsTheChatEndpointsRules() {
        ChatMessage user = new ChatMessage(Role.USER, List.of(ContentPart.text("hi")));
        ChatTask tooLong = new ChatTask("m", List.of(user), new SamplingParams(32768, 0, 1, 0, 1, null, List.of(), false, false), false);
        assertThatThrownBy(() -> limits.check(tooLong, model)).hasMessageContaining("maxTokens").hasMessageContaining("8192");
        assertThatThrownBy(() -> limits.check(task(user, new ChatMessage(Role.ASSISTANT, List.of(ContentPart.text("ok")))), model))
                .hasMessageContaining("last message");
        assertThatThrownBy(() -> limits.check(task(new ChatMessage(Role.SYSTEM, List.of(ContentPart.image(image, null))), user), model))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONTENT_PART));
        ModelInfo textOnly = new ModelInfo("t", "ovis2-1b", 1000, List.of("text"), false, Instant.now());
        assertThatThrownBy(() -> limits.check(task(new ChatMessage(Role.USER, List.of(ContentPart.image(image, null)))), textOnly))
                .hasMessageContaining("accepts [text] only");
        assertThatCode(() -> limits.check(task(user), model)).doesNotThrowAnyException();
    }

    private static ChatTask task(ChatMessage... messages) {
        return new ChatTask("m", List.of(messages), SamplingParams.REFERENCE, false);
    }
}
