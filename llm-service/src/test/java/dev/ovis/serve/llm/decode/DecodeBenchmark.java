package dev.ovis.serve.llm.decode;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.EmbeddingRows;
import dev.ovis.serve.llm.prompt.Prompt;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The decode benchmark (run by {@code llm-service/bench.sh}): on one model, in one run, the engine
 * against a bare {@code OrtSession.run} greedy loop, aggregate throughput at several concurrencies,
 * time to first token of a one-image prompt (cold, and again with the prefix cache: the same prompt
 * and the same image with another question), KV bytes per token and the machine's memory bandwidth.
 * The throughput and first time-to-first-token figures run with the prefix cache off, so repeated
 * prompts measure whole prefills as before. Prints figures; asserts nothing.
 */
public final class DecodeBenchmark {

    static final int PROMPT = 32;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "models/random-1b-fp32");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int[] concurrencies = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[]{1, 4, 8, 16};
        System.out.printf("model %s, %d cores, decode steps per run %d%n", dir, Runtime.getRuntime().availableProcessors(), steps);
        double readGbs = readBandwidth();
        double copyGbs = copyBandwidth();
        long weights = weightBytes(dir);
        System.out.printf("memory bandwidth: read %.1f GB/s, copy %.1f GB/s (read+write counted)%n", readGbs, copyGbs);
        System.out.printf("decoder weights %.2f GB -> bandwidth bound %.1f tokens/s per sequence%n", weights / 1e9, readGbs * 1e9 / weights);
        System.out.println("opening the model");
        try (BenchModel model = BenchModel.open(dir)) {
            System.out.println("opened " + model.id());
            EmbeddingRows text = model.textRows();
            DecoderSpec spec = model.decoder().spec();
            System.out.printf("KV bytes/token: %d (%s; ovis2.md §6 gives the fp16 figure, e.g. 12 KiB for 1B)%n",
                    spec.kvBytesPerToken(), spec.kvType());
            EngineSettings settings = new EngineSettings(model.contextLength(), model.stopIds(), 4L << 30, 16, 64, 4096);
            try (DecodeEngine engine = new DecodeEngine(model.decoder(), text, model.tokenizer()::decode,
                    settings.withPrefixCache(PrefixCacheSettings.OFF))) {
                singleStream(model, engine, text, steps);
                concurrency(engine, text, steps, concurrencies);
                timeToFirstToken(model, engine);
            }
            try (DecodeEngine engine = new DecodeEngine(model.decoder(), text, model.tokenizer()::decode, settings)) {
                prefixCache(model, engine);
            }
        }
    }

    private static void singleStream(BenchModel model, DecodeEngine engine, EmbeddingRows text, int steps) throws Exception {
        FloatBuffer prompt = promptEmbeddings(text, PROMPT, 1);
        int runs = Integer.getInteger("bench.runs", 3);
        double[] bare = new double[runs];
        double[] ours = new double[runs];
        System.out.println("warm-up");
        bareLoop(model.decoder(), text, prompt, 4);
        System.out.println("warm-up bare done");
        runEngine(engine, prompt, 4);
        for (int i = 0; i < bare.length; i++) {
            if (i % 2 == 0) {
                bare[i] = bareLoop(model.decoder(), text, prompt, steps);
                ours[i] = runEngine(engine, prompt, steps);
            } else {
                ours[i] = runEngine(engine, prompt, steps);
                bare[i] = bareLoop(model.decoder(), text, prompt, steps);
            }
            System.out.printf("  run %d: bare loop %.2f tokens/s, engine %.2f tokens/s%n", i + 1, bare[i], ours[i]);
        }
        double b = median(bare);
        double e = median(ours);
        System.out.printf("single stream (medians of %d alternating runs): bare %.2f tokens/s, engine %.2f tokens/s, ratio %.3f%n",
                bare.length, b, e, e / b);
    }

    /** Decode tokens/s of one greedy stream through the engine (prefill excluded). */
    private static double runEngine(DecodeEngine engine, FloatBuffer prompt, int steps) throws Exception {
        Generation g = engine.submit(new DecodeRequest("bench", prompt.duplicate(), prompt.remaining() / engine.spec().hidden(),
                greedy(steps + 1)));
        g.await(Duration.ofHours(1));
        return steps * 1e9 / (g.finishedNanos() - g.firstTokenNanos());
    }

    /** The same greedy loop on the bare session: present KV fed back as the next past, nothing else. */
    private static double bareLoop(OnnxDecoder decoder, EmbeddingRows text, FloatBuffer prompt, int steps) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = decoder.session();
        DecoderSpec spec = decoder.spec();
        int length = prompt.remaining() / spec.hidden();
        List<OnnxTensor> created = new ArrayList<>();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put(OnnxDecoder.INPUTS_EMBEDS, track(created, OnnxTensor.createTensor(env, prompt.duplicate(), new long[]{1, length, spec.hidden()})));
        inputs.put(OnnxDecoder.ATTENTION_MASK, track(created, OnnxTensor.createTensor(env, ones(length), new long[]{1, length})));
        inputs.put(OnnxDecoder.POSITION_IDS, track(created, OnnxTensor.createTensor(env, range(length), new long[]{1, length})));
        for (int l = 0; l < spec.layers(); l++) {
            long[] shape = {1, spec.kvHeads(), 0, spec.headDim()};
            inputs.put(OnnxDecoder.pastKey(l), track(created, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, spec.kvType())));
            inputs.put(OnnxDecoder.pastValue(l), track(created, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, spec.kvType())));
        }
        OrtSession.Result result = session.run(inputs);
        created.forEach(OnnxTensor::close);
        long start = System.nanoTime();
        FloatBuffer row = ByteBuffer.allocateDirect(spec.hidden() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int t = 0; t < steps; t++) {
            FloatBuffer logits = ((OnnxTensor) result.get(OnnxDecoder.LOGITS).orElseThrow()).getFloatBuffer();
            int token = Sampler.argmax(logits, spec.vocab());
            row.clear();
            text.copyRow(token, row);
            row.flip();
            created.clear();
            inputs.clear();
            int total = length + t + 1;
            inputs.put(OnnxDecoder.INPUTS_EMBEDS, track(created, OnnxTensor.createTensor(env, row, new long[]{1, 1, spec.hidden()})));
            inputs.put(OnnxDecoder.ATTENTION_MASK, track(created, OnnxTensor.createTensor(env, ones(total), new long[]{1, total})));
            inputs.put(OnnxDecoder.POSITION_IDS, track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[]{total - 1}), new long[]{1, 1})));
            for (int l = 0; l < spec.layers(); l++) {
                inputs.put(OnnxDecoder.pastKey(l), (OnnxTensor) result.get(OnnxDecoder.presentKey(l)).orElseThrow());
                inputs.put(OnnxDecoder.pastValue(l), (OnnxTensor) result.get(OnnxDecoder.presentValue(l)).orElseThrow());
            }
            OrtSession.Result next = session.run(inputs);
            created.forEach(OnnxTensor::close);
            result.close();
            result = next;
        }
        long elapsed = System.nanoTime() - start;
        result.close();
        return steps * 1e9 / elapsed;
    }

    private static void concurrency(DecodeEngine engine, EmbeddingRows text, int steps, int[] levels) throws Exception {
        double one = 0;
        for (int c : levels) {
            List<FloatBuffer> prompts = IntStream.range(0, c).mapToObj(i -> promptEmbeddings(text, PROMPT, 100 + i)).toList();
            EngineStats before = engine.stats();
            long start = System.nanoTime();
            List<Generation> generations = new ArrayList<>();
            for (FloatBuffer p : prompts) {
                generations.add(engine.submit(new DecodeRequest("bench", p, PROMPT, greedy(steps))));
            }
            long tokens = 0;
            for (Generation g : generations) {
                tokens += g.await(Duration.ofHours(1)).usage().completionTokens();
            }
            double wall = tokens * 1e9 / (System.nanoTime() - start);
            EngineStats delta = engine.stats().since(before);
            double decode = delta.decodeTokensPerSecond();
            if (c == levels[0]) {
                one = decode;
            }
            System.out.printf("%2d concurrent streams: %.2f tokens/s in decode steps (%.2fx of %d), %.2f tokens/s wall incl. %d prefills of %d positions%n",
                    c, decode, decode / one, levels[0], wall, delta.prefills(), PROMPT);
        }
    }

    private static void timeToFirstToken(BenchModel model, DecodeEngine engine) throws Exception {
        int hidden = model.hidden();
        PromptBuilder builder = new PromptBuilder(model.tokenizer(), model.id(), hidden);
        EmbeddingAssembler assembler = new EmbeddingAssembler(model.textRows(), model.indicatorRows(), visual -> {
            int floats = visual.layout().crops() * ImageLayout.TOKENS_PER_CROP * hidden;
            return randomFloats(floats, 7);
        });
        for (ImageLayout layout : List.of(new ImageLayout(1, 1), new ImageLayout(1, 1))) {
            MediaRef ref = new MediaRef("bench", "embeds", "application/octet-stream", "0".repeat(64), 1);
            ContentPart image = ContentPart.image(ref, null).withVisual(new VisualEmbeddings(ref, model.id(), layout, hidden, "float32"));
            List<ChatMessage> messages = List.of(new ChatMessage(Role.USER, List.of(image, ContentPart.text("Describe the image."))));
            long start = System.nanoTime();
            Prompt prompt = builder.build(messages, false, engine.usablePromptPositions());
            Generation g = engine.submit(new DecodeRequest("ttft", assembler.assemble(prompt), prompt.positions(), greedy(1)));
            g.await(Duration.ofHours(1));
            System.out.printf("time to first token, one %dx%d image (%d positions, embeddings given): %.0f ms%n",
                    layout.rows(), layout.cols(), prompt.positions(), (g.firstTokenNanos() - start) / 1e6);
        }
    }

    /**
     * Time to first token and prefill of a one-image prompt: cold, the same again, the same image
     * asked otherwise; for two images in turn (the first run of the first one also warms up).
     */
    private static void prefixCache(BenchModel model, DecodeEngine engine) throws Exception {
        int hidden = model.hidden();
        PromptBuilder builder = new PromptBuilder(model.tokenizer(), model.id(), hidden);
        EmbeddingAssembler assembler = new EmbeddingAssembler(model.textRows(), model.indicatorRows(), visual -> {
            int floats = visual.layout().crops() * ImageLayout.TOKENS_PER_CROP * hidden;
            return randomFloats(floats, visual.tensor().key().hashCode());
        });
        List<String> runs = List.of("cold", "same prompt", "same image, other question");
        List<String> questions = List.of("Describe the image.", "Describe the image.", "What is in the picture?");
        for (String key : List.of("image-a", "image-b")) {
            MediaRef ref = new MediaRef("bench", key, "application/octet-stream", "0".repeat(64), 1);
            ContentPart image = ContentPart.image(ref, null)
                    .withVisual(new VisualEmbeddings(ref, model.id(), new ImageLayout(1, 2), hidden, "float32"));
            for (int i = 0; i < runs.size(); i++) {
                List<ChatMessage> messages = List.of(new ChatMessage(Role.USER, List.of(image, ContentPart.text(questions.get(i)))));
                EngineStats before = engine.stats();
                long start = System.nanoTime();
                Prompt prompt = builder.build(messages, false, engine.usablePromptPositions());
                Generation g = engine.submit(new DecodeRequest("prefix", assembler.assemble(prompt), prompt.positions(), greedy(1)));
                g.await(Duration.ofHours(1));
                EngineStats delta = engine.stats().since(before);
                System.out.printf("prefix cache, %s, %s (%d positions, %d reused): time to first token %.0f ms, prefill %.0f ms%n",
                        key, runs.get(i), prompt.positions(), delta.reusedPositions(), (g.firstTokenNanos() - start) / 1e6,
                        delta.prefillNanos() / 1e6);
            }
        }
    }

    private static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0, 1, 0, 1, null, List.of(), false, false);
    }

    private static FloatBuffer promptEmbeddings(EmbeddingRows text, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FloatBuffer out = ByteBuffer.allocateDirect(length * text.hidden() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < length; i++) {
            text.copyRow(random.nextInt(Math.min(text.rows(), 150_000)), out);
        }
        return out.flip();
    }

    private static FloatBuffer randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FloatBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            out.put((float) (random.nextDouble() * 0.1 - 0.05));
        }
        return out.flip();
    }

    private static LongBuffer ones(int n) {
        long[] v = new long[n];
        Arrays.fill(v, 1);
        return LongBuffer.wrap(v);
    }

    private static LongBuffer range(int n) {
        return LongBuffer.wrap(IntStream.range(0, n).asLongStream().toArray());
    }

    private static OnnxTensor track(List<OnnxTensor> created, OnnxTensor t) {
        created.add(t);
        return t;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long weightBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("decoder.onnx")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Reads a 1 GiB array with one thread per core (summing), best of 5: what decode needs (weights read). */
    private static double readBandwidth() {
        long[] data = new long[1 << 27];
        Arrays.fill(data, 1);
        int threads = Runtime.getRuntime().availableProcessors();
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long start = System.nanoTime();
            long sum = IntStream.range(0, threads).parallel().mapToLong(t -> {
                long s = 0;
                int from = (int) ((long) data.length * t / threads);
                int to = (int) ((long) data.length * (t + 1) / threads);
                for (int i = from; i < to; i++) {
                    s += data[i];
                }
                return s;
            }).sum();
            double gbs = data.length * 8.0 / (System.nanoTime() - start);
            if (sum != data.length) {
                throw new IllegalStateException();
            }
            best = Math.max(best, gbs);
        }
        return best;
    }

    /** Copies a 512 MiB array, best of 5, bytes read plus bytes written. */
    private static double copyBandwidth() {
        long[] a = new long[1 << 26];
        long[] b = new long[1 << 26];
        Arrays.fill(a, 3);
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long start = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            best = Math.max(best, 2.0 * a.length * 8 / (System.nanoTime() - start));
        }
        return best;
    }

    private DecodeBenchmark() {
    }
}
