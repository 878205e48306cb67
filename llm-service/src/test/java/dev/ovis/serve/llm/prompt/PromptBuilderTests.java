package dev.ovis.serve.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.llm.fixture.TinyLlm;
import dev.ovis.serve.testing.TinyFixture;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromptBuilderTests {

    static PromptTokenizer tokenizer;
    static PromptBuilder builder;
    static TinyFixture fixture;

    @BeforeAll
    static void open() throws Exception {
        tokenizer = TinyLlm.tokenizer();
        builder = new PromptBuilder(tokenizer, TinyFixture.MODEL_ID, TinyFixture.HIDDEN);
        fixture = new TinyFixture();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static List<ChatMessage> withImage(VisualEmbeddings visual) {
        ContentPart image = ContentPart.image(PromptFormatterTests.MEDIA, null);
        return List.of(new ChatMessage(Role.USER, List.of(visual == null ? image : image.withVisual(visual), ContentPart.text("hi"))));
    }

    static void assertCode(List<ChatMessage> messages, ErrorCode code, String... detail) {
        assertThatThrownBy(() -> builder.build(messages, false, 32767))
                .isInstanceOfSatisfying(PromptException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContainingAll(detail);
    }

    @Test
    void anImageWithoutEmbeddingsFromAnotherModelOrOfAnotherWidthIsRefused() {
        assertCode(withImage(null), ErrorCode.INVALID_CONTENT_PART, "image 1 has no visual embeddings");
        assertCode(withImage(new VisualEmbeddings(PromptFormatterTests.MEDIA, "other", new ImageLayout(1, 1), 64, "float32")),
                ErrorCode.INVALID_CONTENT_PART, "model 'other'");
        assertCode(withImage(new VisualEmbeddings(PromptFormatterTests.MEDIA, TinyFixture.MODEL_ID, new ImageLayout(1, 1), 32, "float16")),
                ErrorCode.INVALID_CONTENT_PART, "width 32", "hidden size is 64");
    }

    @Test
    void aPromptBeyondTheUsableContextIsRefusedWithItsNumbers() throws Exception {
        List<ChatMessage> messages = fixture.conversation("one_image");
        assertThatThrownBy(() -> builder.build(messages, false, 797))
                .isInstanceOfSatisfying(PromptException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED))
                .hasMessageContainingAll("798 positions", "26 text", "772 visual in 1 image(s)", "at most 797");
        assertThat(builder.build(messages, false, 798).positions()).isEqualTo(798);
    }

    @Test
    void theMergedEmbeddingsFollowTheReferenceLayout() throws Exception {
        // given the one-image reference prompt
        List<ChatMessage> messages = fixture.conversation("one_image");
        Prompt prompt = builder.build(messages, false, 32767);
        EmbeddingRows text = TinyLlm.textRows();
        EmbeddingRows indicators = TinyLlm.indicatorRows();

        // when
        FloatBuffer merged = new EmbeddingAssembler(text, indicators, fixture::visual).assemble(prompt);

        // then: position 0 is text id 451, 15 is START (indicator row 0), 16 is the first visual row,
        // 272 is GRID (row 1), 786 is END (row 4)
        assertThat(row(merged, 0)).containsExactly(row(text, 451));
        assertThat(row(merged, 15)).containsExactly(row(indicators, 0));
        assertThat(row(merged, 272)).containsExactly(row(indicators, 1));
        assertThat(row(merged, 529)).containsExactly(row(indicators, 2));
        assertThat(row(merged, 786)).containsExactly(row(indicators, 4));
        FloatBuffer visual = fixture.visual(prompt.images().getFirst());
        assertThat(row(merged, 16)).containsExactly(row(visual, 0));
        assertThat(row(merged, 273 + 255)).containsExactly(row(visual, 256 + 255));
        assertThat(merged.remaining()).isEqualTo(798 * 64);
    }

    static float[] row(FloatBuffer data, int index) {
        float[] out = new float[64];
        data.get(index * 64, out);
        return out;
    }

    static float[] row(EmbeddingRows rows, int index) {
        FloatBuffer one = FloatBuffer.allocate(64);
        rows.copyRow(index, one);
        return one.array();
    }
}
