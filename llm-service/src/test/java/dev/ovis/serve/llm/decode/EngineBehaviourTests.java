package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stops, limits, seeds, cancellation, streaming updates and queueing of the engine on the tiny fixture. */
class EngineBehaviourTests {

    static final Duration WAIT = Duration.ofSeconds(60);
    static TinyFixture fixture;
    static PromptTokenizer tokenizer;
    static OnnxDecoder decoder;
    static EmbeddingAssembler assembler;
    static Prompt textOnly;
    static List<Integer> reference;

    @BeforeAll
    static void open() throws Exception {
        fixture = new TinyFixture();
        tokenizer = TinyLlm.tokenizer();
        decoder = TinyLlm.decoder();
        assembler = new EmbeddingAssembler(TinyLlm.textRows(), TinyLlm.indicatorRows(), fixture::visual);
        textOnly = new PromptBuilder(tokenizer, TinyFixture.MODEL_ID, TinyFixture.HIDDEN)
                .build(fixture.conversation("text_only"), false, 32767);
        reference = fixture.referenceTokens("text_only");
    }

    @AfterAll
    static void close() throws Exception {
        decoder.close();
        tokenizer.close();
    }

    static DecodeEngine engine(int context, Set<Integer> stopIds, long kvBytes, int maxQueued) throws Exception {
        return new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(context, stopIds, kvBytes, 8, maxQueued, 4096));
    }

    static SamplingParams params(int maxTokens, double temperature, Long seed, List<String> stop, boolean logprobs) {
        return new SamplingParams(maxTokens, temperature, 1, 0, 1, seed, stop, logprobs, false);
    }

    static Generation submit(DecodeEngine engine, SamplingParams params) throws Exception {
        return engine.submit(new DecodeRequest("t", assembler.assemble(textOnly), textOnly.positions(), params));
    }

    @Test
    void aStopIdEndsTheSequenceAndIsNotPartOfTheText() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(reference.get(2)), 64L << 20, 8)) {
            Generation.Update done = submit(engine, params(24, 0, null, List.of(), false)).await(WAIT);
            assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(done.usage().completionTokens()).isEqualTo(3);
            assertThat(done.text()).isEqualTo(tokenizer.decode(new int[]{reference.get(0), reference.get(1)}, 0, 2));
        }
    }

    @Test
    void aStopStringCutsTheTextBeforeIt() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            String full = submit(engine, params(24, 0, null, List.of(), false)).await(WAIT).text();
            String stop = full.substring(4, 6);
            Generation.Update done = submit(engine, params(24, 0, null, List.of(stop), false)).await(WAIT);
            assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(done.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        }
    }

    @Test
    void maxTokensAndTheContextBoundTheAnswer() throws Exception {
        try (DecodeEngine engine = engine(textOnly.positions() + 9, Set.of(), 64L << 20, 8)) {
            Generation.Update five = submit(engine, params(5, 0, null, List.of(), false)).await(WAIT);
            assertThat(five.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(five.usage().completionTokens()).isEqualTo(5);
            Generation.Update bounded = submit(engine, params(24, 0, null, List.of(), false)).await(WAIT);
            assertThat(bounded.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(bounded.usage().completionTokens()).isEqualTo(9);
            assertThat(engine.usablePromptPositions()).isEqualTo(textOnly.positions() + 8);
        }
        try (DecodeEngine engine = engine(textOnly.positions(), Set.of(), 64L << 20, 8)) {
            assertThatThrownBy(() -> submit(engine, params(5, 0, null, List.of(), false)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theSameSeedGivesTheSameTokensAndLogprobsAreReported() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            Generation a = submit(engine, params(24, 1.5, 42L, List.of(), true));
            Generation b = submit(engine, params(24, 1.5, 42L, List.of(), true));
            Set<List<Integer>> others = new HashSet<>();
            for (long seed = 1; seed <= 3; seed++) {
                Generation g = submit(engine, params(24, 1.5, seed, List.of(), false));
                g.await(WAIT);
                others.add(g.tokenIds());
            }
            a.await(WAIT);
            Generation.Update doneB = b.await(WAIT);
            assertThat(a.tokenIds()).isEqualTo(b.tokenIds()).hasSize(24);
            assertThat(others).hasSizeGreaterThan(1);
            assertThat(doneB.logprobs()).hasSize(24).allSatisfy(lp -> assertThat(lp.logprob()).isLessThanOrEqualTo(0));
            assertThat(doneB.logprobs().getFirst().id()).isEqualTo(b.tokenIds().getFirst());
        }
    }

    @Test
    void withoutASeedTheJobIdSeedsSamplingSoARunAgainSamplesTheSameText() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            SamplingParams unseeded = params(24, 1.5, null, List.of(), false);
            Generation first = engine.submit(new DecodeRequest("job-1", assembler.assemble(textOnly), textOnly.positions(), unseeded));
            Generation again = engine.submit(new DecodeRequest("job-1", assembler.assemble(textOnly), textOnly.positions(), unseeded));
            Set<List<Integer>> others = new HashSet<>();
            for (String id : List.of("job-2", "job-3", "job-4")) {
                Generation g = engine.submit(new DecodeRequest(id, assembler.assemble(textOnly), textOnly.positions(), unseeded));
                g.await(WAIT);
                others.add(g.tokenIds());
            }
            first.await(WAIT);
            again.await(WAIT);
            assertThat(again.tokenIds()).isEqualTo(first.tokenIds()).hasSize(24);
            assertThat(others).hasSizeGreaterThan(1);
        }
    }

    @Test
    void streamedUpdatesAddUpToTheTextAndEndWithUsage() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            Generation generation = submit(engine, params(24, 0, null, List.of(), false));
            StringBuilder streamed = new StringBuilder();
            Generation.Update update;
            do {
                update = generation.next(Duration.ofMillis(5));
                streamed.append(update.text());
            } while (!update.done());
            assertThat(streamed.toString()).isEqualTo(generation.text())
                    .isEqualTo(tokenizer.decode(reference.stream().mapToInt(Integer::intValue).toArray(), 0, 24));
            assertThat(update.usage().promptTokens()).isEqualTo(textOnly.positions());
        }
    }

    @Test
    void theFirstTokenLeavesAtOnceAndTheRestIsGroupedWithoutLosingTheEnd() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            // A gap far longer than the whole answer takes: the old pacing waited it out and sent
            // everything as one update; the first token must not wait for the gap.
            Generation generation = submit(engine, params(2000, 0, null, List.of(), false));
            Generation.Update first = generation.next(Duration.ofSeconds(60));
            assertThat(first.done()).isFalse();
            assertThat(first.text()).isNotEmpty();
            StringBuilder streamed = new StringBuilder(first.text());
            Generation.Update update;
            do {
                update = generation.next(Duration.ofSeconds(60));
                streamed.append(update.text());
            } while (!update.done());
            assertThat(streamed.toString()).isEqualTo(generation.text());
            assertThat(update.usage().completionTokens()).isEqualTo(2000);
        }
    }

    @Test
    void cancellationStopsARunningSequenceWithinAStep() throws Exception {
        try (DecodeEngine engine = engine(32768, Set.of(), 64L << 20, 8)) {
            Generation generation = submit(engine, params(32000, 0, null, List.of(), false));
            await().atMost(WAIT).until(() -> generation.tokenIds().size() >= 3);
            generation.cancel();
            Generation.Update done = generation.await(WAIT);
            assertThat(done.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(done.usage().completionTokens()).isLessThan(32000);
        }
    }

    @Test
    void requestsWaitForKvMemoryInABoundedQueueAndAllFinish() throws Exception {
        // given a budget with room for one sequence (512 B/token × 2 buffers × 55 reserved positions)
        long oneSequence = 2L * 512 * (textOnly.positions() + 24);
        try (DecodeEngine engine = engine(32768, Set.of(), oneSequence + 1000, 1)) {
            Generation first = submit(engine, params(24, 0, null, List.of(), false));
            await().atMost(WAIT).until(() -> engine.queued() == 0);
            Generation second = submit(engine, params(24, 0, null, List.of(), false));

            // when the queue (bound 1) is full
            if (!first.isDone()) {
                assertThat(engine.queued()).isEqualTo(1);
                assertThatThrownBy(() -> submit(engine, params(24, 0, null, List.of(), false)))
                        .isInstanceOf(EngineBusyException.class).hasMessageContaining("queue is full");
            }

            // then the waiting request runs once memory frees, with the same tokens
            List<Generation> all = new ArrayList<>(List.of(first, second));
            for (Generation g : all) {
                assertThat(g.await(WAIT).finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(g.tokenIds()).isEqualTo(reference);
            }
        }
    }
}
