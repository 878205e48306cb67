package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxJavaType;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.llm.fixture.TinyLlm;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.Prompt;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import dev.ovis.serve.testing.TinyFixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prompt-prefix KV cache: a hit decodes what a full prefill decodes (greedy tokens and their
 * logprobs, on the tiny fixture) while computing fewer positions, and the cache stays within its bytes.
 */
class PrefixCacheTests {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final int TOKENS = 24;
    static TinyFixture fixture;
    static PromptTokenizer tokenizer;
    static PromptBuilder builder;
    static EmbeddingAssembler assembler;
    static OnnxDecoder decoder;

    @BeforeAll
    static void open() throws Exception {
        fixture = new TinyFixture();
        tokenizer = TinyLlm.tokenizer();
        builder = new PromptBuilder(tokenizer, TinyFixture.MODEL_ID, TinyFixture.HIDDEN);
        assembler = new EmbeddingAssembler(TinyLlm.textRows(), TinyLlm.indicatorRows(), fixture::visual);
        decoder = TinyLlm.decoder();
    }

    @AfterAll
    static void close() throws Exception {
        decoder.close();
        tokenizer.close();
    }

    static DecodeEngine engine(PrefixCacheSettings caching) throws Exception {
        return new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(32768, Set.of(452, 450), 64L << 20, 8, 8, 4096).withPrefixCache(caching));
    }

    static Prompt prompt(List<ChatMessage> conversation) throws Exception {
        return builder.build(conversation, false, 32767);
    }

    /** The same image as the reference's one_image, asked another question: a long shared prefix, another end. */
    static List<ChatMessage> sameImageOtherQuestion() throws Exception {
        List<ContentPart> parts = new ArrayList<>();
        for (ContentPart part : fixture.conversation("one_image").getFirst().parts()) {
            parts.add(part.type() == PartType.TEXT ? ContentPart.text("What is in the picture? Answer in one word.") : part);
        }
        return List.of(new ChatMessage(dev.ovis.serve.common.chat.Role.USER, parts));
    }

    record Run(List<Integer> tokens, List<TokenLogprob> logprobs) {
    }

    static Run run(DecodeEngine engine, Prompt prompt) throws Exception {
        SamplingParams greedy = new SamplingParams(TOKENS, 0, 1, 0, 1, null, List.of(), true, false);
        Generation generation = engine.submit(new DecodeRequest("p", assembler.assemble(prompt), prompt.positions(), greedy));
        Generation.Update done = generation.await(WAIT);
        assertThat(done.failure()).isNull();
        return new Run(generation.tokenIds(), done.logprobs());
    }

    static void assertSameDecoding(Run actual, Run expected) {
        assertThat(actual.tokens()).isEqualTo(expected.tokens());
        assertThat(actual.logprobs()).hasSameSizeAs(expected.logprobs());
        for (int i = 0; i < actual.logprobs().size(); i++) {
            assertThat(actual.logprobs().get(i).logprob()).as("logprob of token " + i)
                    .isCloseTo(expected.logprobs().get(i).logprob(), within(1e-4));
        }
    }

    @Test
    void theSamePromptTwiceReusesAllButItsLastBlockAndDecodesTheReference() throws Exception {
        Prompt prompt = prompt(fixture.conversation("three_images"));
        try (DecodeEngine engine = engine(PrefixCacheSettings.DEFAULT)) {
            Run first = run(engine, prompt);
            EngineStats cold = engine.stats();
            Run second = run(engine, prompt);
            EngineStats hit = engine.stats().since(cold);

            assertThat(first.tokens()).isEqualTo(fixture.referenceTokens("three_images"));
            assertSameDecoding(second, first);
            assertThat(cold.prefixHits()).isZero();
            assertThat(cold.computedPositions()).isEqualTo(prompt.positions());
            int reused = (prompt.positions() - 1) / 16 * 16;
            assertThat(hit.prefixHits()).isEqualTo(1);
            assertThat(hit.reusedPositions()).isEqualTo(reused);
            assertThat(hit.computedPositions()).isEqualTo(prompt.positions() - reused).isLessThanOrEqualTo(16);
        }
    }

    @Test
    void aPromptSharingAPrefixDecodesAsIfPrefilledWhole() throws Exception {
        Prompt first = prompt(fixture.conversation("one_image"));
        Prompt other = prompt(sameImageOtherQuestion());
        int shared = sharedPositions(assembler.assemble(first), assembler.assemble(other));
        assertThat(shared).isGreaterThan(700).isLessThan(other.positions() - 5);

        Run uncached;
        try (DecodeEngine engine = engine(PrefixCacheSettings.OFF)) {
            uncached = run(engine, other);
            assertThat(engine.stats().reusedPositions()).isZero();
        }
        try (DecodeEngine engine = engine(PrefixCacheSettings.DEFAULT)) {
            run(engine, first);
            EngineStats before = engine.stats();
            Run cached = run(engine, other);
            EngineStats hit = engine.stats().since(before);

            assertSameDecoding(cached, uncached);
            assertThat(hit.reusedPositions()).isEqualTo(shared / 16 * 16);
            assertThat(hit.computedPositions()).isEqualTo(other.positions() - shared / 16 * 16);
        }
    }

    @Test
    void batchedHitsAndMissesDecodeTheReference() throws Exception {
        try (DecodeEngine engine = engine(PrefixCacheSettings.DEFAULT)) {
            List<Generation> generations = new ArrayList<>();
            List<String> names = new ArrayList<>();
            SamplingParams greedy = new SamplingParams(TOKENS, 0, 1, 0, 1, null, List.of(), false, false);
            for (int round = 0; round < 3; round++) {
                for (String name : List.of("one_image", "three_images", "text_only")) {
                    Prompt prompt = prompt(fixture.conversation(name));
                    generations.add(engine.submit(new DecodeRequest(name, assembler.assemble(prompt), prompt.positions(), greedy)));
                    names.add(name);
                }
            }
            for (int i = 0; i < generations.size(); i++) {
                generations.get(i).await(WAIT);
                assertThat(generations.get(i).tokenIds()).as(names.get(i) + " #" + i)
                        .isEqualTo(fixture.referenceTokens(names.get(i)));
            }
            assertThat(engine.stats().prefixHits()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void aDisabledCacheComputesEveryPosition() throws Exception {
        Prompt prompt = prompt(fixture.conversation("one_image"));
        try (DecodeEngine engine = engine(PrefixCacheSettings.OFF)) {
            run(engine, prompt);
            run(engine, prompt);
            assertThat(engine.stats().reusedPositions()).isZero();
            assertThat(engine.stats().computedPositions()).isEqualTo(2L * prompt.positions());
        }
    }

    // --- the cache alone, on a made-up decoder shape ---

    static final DecoderSpec SPEC = new DecoderSpec(2, 2, 4, 8, 10, OnnxJavaType.FLOAT);
    static final int BLOCK = 4;
    static final long BLOCK_BYTES = BLOCK * SPEC.kvBytesPerToken();

    /** {@code positions × hidden} floats, each row filled with {@code seed + row}. */
    static FloatBuffer embeddings(int positions, int seed) {
        FloatBuffer rows = ByteBuffer.allocateDirect(positions * SPEC.hidden() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < positions * SPEC.hidden(); i++) {
            rows.put(i, seed + i / SPEC.hidden());
        }
        return rows;
    }

    /** A prompt's KV whose every element is {@code value + position}. */
    static KvBlock present(int positions, float value) {
        ByteBuffer[] tensors = new ByteBuffer[2 * SPEC.layers()];
        for (int t = 0; t < tensors.length; t++) {
            tensors[t] = ByteBuffer.allocateDirect(positions * SPEC.kvRowBytes()).order(ByteOrder.nativeOrder());
            FloatBuffer f = tensors[t].asFloatBuffer();
            for (int h = 0; h < SPEC.kvHeads(); h++) {
                for (int p = 0; p < positions; p++) {
                    for (int d = 0; d < SPEC.headDim(); d++) {
                        f.put((h * positions + p) * SPEC.headDim() + d, value + p);
                    }
                }
            }
        }
        return new KvBlock(tensors, 1, positions);
    }

    @Test
    void aLookupReusesWholeBlocksButNeverTheLastPosition() {
        PrefixCache cache = new PrefixCache(SPEC, 1 << 20, BLOCK);
        PrefixCache.Lookup miss = cache.lookup(embeddings(8, 0), 8);
        assertThat(miss.reusedPositions()).isZero();
        cache.store(miss, present(8, 100));

        assertThat(cache.lookup(embeddings(8, 0), 8).reusedPositions()).as("capped at length − 1").isEqualTo(4);
        assertThat(cache.lookup(embeddings(11, 0), 11).reusedPositions()).isEqualTo(8);
        assertThat(cache.lookup(embeddings(11, 1), 11).reusedPositions()).as("other content").isZero();
        FloatBuffer changedInSecondBlock = embeddings(11, 0);
        changedInSecondBlock.put(5 * SPEC.hidden() + 3, -1f);
        assertThat(cache.lookup(changedInSecondBlock, 11).reusedPositions()).isEqualTo(4);
    }

    @Test
    void thePastIsACopyOfThePrefixNotAViewOfTheEnginesBuffers() {
        PrefixCache cache = new PrefixCache(SPEC, 1 << 20, BLOCK);
        KvBlock present = present(9, 100);
        cache.store(cache.lookup(embeddings(9, 0), 9), present);
        for (ByteBuffer tensor : present.tensors()) {
            tensor.put(0, new byte[tensor.capacity()]);
        }

        KvBlock past = cache.past(cache.lookup(embeddings(10, 0), 10));

        assertThat(past.length()).isEqualTo(8);
        for (ByteBuffer tensor : past.tensors()) {
            FloatBuffer f = tensor.asFloatBuffer();
            assertThat(f.capacity()).isEqualTo(SPEC.kvHeads() * 8 * SPEC.headDim());
            for (int h = 0; h < SPEC.kvHeads(); h++) {
                for (int p = 0; p < 8; p++) {
                    assertThat(f.get((h * 8 + p) * SPEC.headDim() + 1)).isEqualTo(100f + p);
                }
            }
        }
    }

    @Test
    void theCacheEvictsTheLeastRecentlyUsedBlocksBeyondItsBytes() {
        PrefixCache cache = new PrefixCache(SPEC, 5 * BLOCK_BYTES, BLOCK);
        cache.store(cache.lookup(embeddings(12, 0), 12), present(12, 0));
        cache.store(cache.lookup(embeddings(12, 50), 12), present(12, 0));
        assertThat(cache.bytes()).isEqualTo(5 * BLOCK_BYTES);
        assertThat(cache.evicted()).isEqualTo(1);

        // the newer prompt is whole; the older one lost its last block first, its first ones survive
        assertThat(cache.lookup(embeddings(13, 50), 13).reusedPositions()).isEqualTo(12);
        assertThat(cache.lookup(embeddings(13, 0), 13).reusedPositions()).isEqualTo(8);

        cache.store(cache.lookup(embeddings(40, 200), 40), present(40, 0));
        assertThat(cache.bytes()).isLessThanOrEqualTo(5 * BLOCK_BYTES);
        assertThat(cache.lookup(embeddings(41, 200), 41).reusedPositions()).as("a prompt longer than the cache keeps its start")
                .isEqualTo(5 * BLOCK);
        assertThat(cache.lookup(embeddings(13, 50), 13).reusedPositions()).isZero();
    }

    static int sharedPositions(FloatBuffer a, FloatBuffer b) {
        int hidden = TinyFixture.HIDDEN;
        int n = Math.min(a.remaining(), b.remaining()) / hidden;
        for (int p = 0; p < n; p++) {
            if (!a.slice(p * hidden, hidden).equals(b.slice(p * hidden, hidden))) {
                return p;
            }
        }
        return n;
    }
}
