package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.llm.fixture.TinyLlm;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.Prompt;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import dev.ovis.serve.testing.TinyFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Greedy tokens on the tiny fixture equal the PyTorch reference, alone and batched. */
class EngineFidelityTests {

    static final List<String> PROMPTS = List.of("text_only", "one_image", "three_images");
    static TinyFixture fixture;
    static PromptTokenizer tokenizer;
    static PromptBuilder builder;
    static EmbeddingAssembler assembler;
    static DecodeEngine engine;
    static OnnxDecoder decoder;

    @BeforeAll
    static void open() throws Exception {
        fixture = new TinyFixture();
        tokenizer = TinyLlm.tokenizer();
        builder = new PromptBuilder(tokenizer, TinyFixture.MODEL_ID, TinyFixture.HIDDEN);
        assembler = new EmbeddingAssembler(TinyLlm.textRows(), TinyLlm.indicatorRows(), fixture::visual);
        decoder = TinyLlm.decoder();
        engine = new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(32768, Set.of(452, 450), 64L << 20, 16, 64, 4096));
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
        decoder.close();
        tokenizer.close();
    }

    static Prompt prompt(String name) throws Exception {
        return builder.build(fixture.conversation(name), false, engine.usablePromptPositions());
    }

    static Generation submit(String name, int maxTokens) throws Exception {
        Prompt prompt = prompt(name);
        SamplingParams greedy = new SamplingParams(maxTokens, 0, 1, 0, 1, null, List.of(), false, false);
        return engine.submit(new DecodeRequest(name, assembler.assemble(prompt), prompt.positions(), greedy));
    }

    static List<Integer> referenceTokens(String name) {
        return fixture.referenceTokens(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text_only", "one_image", "three_images"})
    void promptIdsAndLengthMatchTheReference(String name) throws Exception {
        Prompt prompt = prompt(name);
        assertThat(prompt.ids()).containsExactly(TinyFixture.ints(fixture.prompt(name).get("expanded_ids")));
        assertThat(prompt.positions()).isEqualTo(fixture.prompt(name).get("sequence_length").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"text_only", "one_image", "three_images"})
    void greedyTokensAloneEqualTheReference(String name) throws Exception {
        Generation generation = submit(name, 24);
        Generation.Update done = generation.await(Duration.ofSeconds(60));
        assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(generation.tokenIds()).isEqualTo(referenceTokens(name));
        assertThat(done.usage().promptTokens()).isEqualTo(fixture.prompt(name).get("sequence_length").asInt());
        assertThat(done.usage().completionTokens()).isEqualTo(24);
    }

    @Test
    void greedyTokensBatchedWithOthersOfOtherLengthsEqualTheReference() throws Exception {
        // given requests of different lengths and budgets arriving together and while others run
        List<Generation> generations = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String name : PROMPTS) {
                generations.add(submit(name, 24));
                names.add(name);
            }
        }
        Generation shortOne = submit("three_images", 5);
        generations.getFirst().await(Duration.ofSeconds(60));
        Generation late = submit("one_image", 24);

        // then every request decodes the reference tokens
        for (int i = 0; i < generations.size(); i++) {
            generations.get(i).await(Duration.ofSeconds(60));
            assertThat(generations.get(i).tokenIds()).as(names.get(i) + " #" + i).isEqualTo(referenceTokens(names.get(i)));
        }
        shortOne.await(Duration.ofSeconds(60));
        assertThat(shortOne.tokenIds()).isEqualTo(referenceTokens("three_images").subList(0, 5));
        late.await(Duration.ofSeconds(60));
        assertThat(late.tokenIds()).isEqualTo(referenceTokens("one_image"));
    }
}
