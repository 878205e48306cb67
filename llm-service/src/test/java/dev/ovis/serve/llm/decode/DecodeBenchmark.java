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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The decode benchmark (run by {@code llm-service/bench.sh}): on one model, in one run, the engine
 * against a bare batched {@code OrtSession.run} greedy loop at 1, 8 and 16 streams (decode steps
 * only, median of alternating pairs, best ÷ best and step-time p25; {@code -Dbench.pairs},
 * {@code -Dbench.ratio.streams}, {@code -Dbench.only=ratio} to print only that), aggregate throughput at several concurrencies,
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
        int[] ratioLevels = Arrays.stream(System.getProperty("bench.ratio.streams", "1,8,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int pairs = Integer.getInteger("bench.pairs", 3);
        boolean onlyRatio = "ratio".equals(System.getProperty("bench.only"));
        System.out.printf("model %s, %d cores, decode steps per run %d%n", dir, Runtime.getRuntime().availableProcessors(), steps);
        long weights = weightBytes(dir);
        if (!onlyRatio) {
            double readGbs = readBandwidth();
            double copyGbs = copyBandwidth();
            System.out.printf("memory bandwidth: read %.1f GB/s, copy %.1f GB/s (read+write counted)%n", readGbs, copyGbs);
            System.out.printf("decoder weights %.2f GB -> bandwidth bound %.1f tokens/s per sequence%n", weights / 1e9, readGbs * 1e9 / weights);
        }
        System.out.println("opening the model");
        try (BenchModel model = BenchModel.open(dir)) {
            System.out.println("opened " + model.id());
            EmbeddingRows text = model.textRows();
            DecoderSpec spec = model.decoder().spec();
            System.out.printf("KV bytes/token: %d (%s; ovis2.md §6 gives the fp16 figure, e.g. 12 KiB for 1B)%n",
                    spec.kvBytesPerToken(), spec.kvType());
            EngineSettings settings = new EngineSettings(model.contextLength(), model.stopIds(), 4L << 30, 16, 64, 4096);
            try (DecodeEngine engine = new DecodeEngine(model.decoder(), text, model.tokenizer()::decode,
                    settings.withPrefixCache(PrefixCacheSettings.OFF), STEP_CLOCK)) {
                ratio(model.decoder(), engine, text, steps, ratioLevels, pairs);
                if (onlyRatio) {
                    return;
                }
                concurrency(engine, text, steps, concurrencies);
                timeToFirstToken(model, engine);
            }
            try (DecodeEngine engine = new DecodeEngine(model.decoder(), text, model.tokenizer()::decode, settings)) {
                prefixCache(model, engine);
            }
        }
    }

    /** One measured run: decode tokens/s (prefill excluded), each row's greedy tokens (the first one from the prefill), step times. */
    private record Run(double tokensPerSecond, List<List<Integer>> tokens, double[] stepMillis) {
    }

    /** Times the engine's loop: a stamp after each planning round with a running batch (so one per decode step). */
    private static final class StepClock implements EngineObserver {
        private final List<Long> stamps = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void batch(int running, int waiting, double kvUsage) {
            if (running > 0) {
                stamps.add(System.nanoTime());
            }
        }

        void reset() {
            stamps.clear();
        }

        /** Intervals between consecutive stamps: one decode step and the loop around it, each. */
        double[] stepMillis() {
            synchronized (stamps) {
                double[] out = new double[Math.max(0, stamps.size() - 1)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (stamps.get(i + 1) - stamps.get(i)) / 1e6;
                }
                return out;
            }
        }
    }

    private static final StepClock STEP_CLOCK = new StepClock();

    /**
     * Engine ÷ bare loop at each concurrency: {@code c} prompts of {@value #PROMPT} positions decoded
     * {@code steps} greedy steps together, by the engine (submitted at once, so they are prefilled and
     * then run as one batch) and by a bare batched loop on the same session; runs alternate engine,
     * bare, engine, bare … after one warm-up of each ({@code -Dbench.warmup} steps, default 8, so the
     * JIT's compilations of the engine's Java are mostly done), and the figure is the median of the
     * pairs' ratios. Both are timed on the decode steps only, from the last prompt's first token
     * (prefill excluded) to the last step's token. Also printed: best ÷ best, and the ratio of the
     * bare loop's to the engine's 25th-percentile step time over all runs (less sensitive to other
     * processes' bursts than whole runs).
     */
    private static void ratio(OnnxDecoder decoder, DecodeEngine engine, EmbeddingRows text, int steps, int[] levels,
                              int pairs) throws Exception {
        System.out.printf("engine vs bare batched loop: %d decode steps per run, %d pairs per concurrency, prefill excluded%n",
                steps, pairs);
        List<String> summary = new ArrayList<>();
        for (int c : levels) {
            List<FloatBuffer> prompts = IntStream.range(0, c).mapToObj(i -> promptEmbeddings(text, PROMPT, 100 + i)).toList();
            int warmUp = Integer.getInteger("bench.warmup", Math.min(steps, 8));
            runEngineBatch(engine, prompts, warmUp);
            bareBatch(decoder, text, prompts, warmUp);
            double[] ratios = new double[pairs];
            double[] ours = new double[pairs];
            double[] bare = new double[pairs];
            List<Double> engineSteps = new ArrayList<>();
            List<Double> bareSteps = new ArrayList<>();
            int agreeing = 0;
            for (int i = 0; i < pairs; i++) {
                Run e = runEngineBatch(engine, prompts, steps);
                Run b = bareBatch(decoder, text, prompts, steps);
                ours[i] = e.tokensPerSecond();
                bare[i] = b.tokensPerSecond();
                ratios[i] = ours[i] / bare[i];
                Arrays.stream(e.stepMillis()).forEach(engineSteps::add);
                Arrays.stream(b.stepMillis()).forEach(bareSteps::add);
                for (int r = 0; r < c; r++) {
                    agreeing += e.tokens().get(r).equals(b.tokens().get(r)) ? 1 : 0;
                }
                System.out.printf("  %2d streams, pair %d: engine %.2f tokens/s, bare %.2f tokens/s, ratio %.3f%n",
                        c, i + 1, ours[i], bare[i], ratios[i]);
            }
            double[] es = engineSteps.stream().mapToDouble(Double::doubleValue).toArray();
            double[] bs = bareSteps.stream().mapToDouble(Double::doubleValue).toArray();
            String line = String.format("%2d streams: engine %.2f tokens/s, bare %.2f tokens/s (medians), engine ÷ bare %.3f "
                            + "(median of pairs; pairs %s; best ÷ best %.3f; step time p25 bare ÷ engine %.3f (%.1f / %.1f ms)); "
                            + "rows with the same greedy tokens as the bare loop %d/%d",
                    c, median(ours), median(bare), median(ratios), Arrays.toString(Arrays.stream(ratios)
                            .mapToObj(r -> String.format("%.3f", r)).toArray()),
                    Arrays.stream(ours).max().orElseThrow() / Arrays.stream(bare).max().orElseThrow(),
                    quantile(bs, 0.25) / quantile(es, 0.25), quantile(bs, 0.25), quantile(es, 0.25), agreeing, c * pairs);
            System.out.println(line);
            summary.add(line);
        }
        System.out.println("engine ÷ bare summary:");
        summary.forEach(l -> System.out.println("  " + l));
    }

    private static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[(int) Math.floor(q * (s.length - 1))];
    }

    /** The engine on {@code prompts} submitted at once: decode tokens/s from the last first token to the last token. */
    private static Run runEngineBatch(DecodeEngine engine, List<FloatBuffer> prompts, int steps) throws Exception {
        List<DecodeRequest> requests = new ArrayList<>();
        for (FloatBuffer p : prompts) {
            requests.add(new DecodeRequest("bench", p.duplicate(), p.remaining() / engine.spec().hidden(), greedy(steps + 1)));
        }
        STEP_CLOCK.reset();
        List<Generation> generations = engine.submitAll(requests);
        long first = 0;
        long last = 0;
        long tokens = 0;
        List<List<Integer>> ids = new ArrayList<>();
        for (Generation g : generations) {
            g.await(Duration.ofHours(1));
            first = Math.max(first, g.firstTokenNanos());
            last = Math.max(last, g.finishedNanos());
            tokens += g.tokenIds().size() - 1;
            ids.add(g.tokenIds());
        }
        if (tokens != (long) steps * prompts.size()) {
            System.out.printf("  (engine: %d decode tokens instead of %d: a stop token ended a row early)%n", tokens,
                    (long) steps * prompts.size());
        }
        return new Run(tokens * 1e9 / (last - first), ids, STEP_CLOCK.stepMillis());
    }

    /**
     * The bare batched loop: one run prefills all prompts together ({@code [c, L]}, all of the same
     * length, so no padding), then each step is one {@code OrtSession.run} on {@code [c, 1]} with the
     * previous run's ORT-owned {@code present.*} as the pasts and a greedy argmax per row. Timed from
     * after the prefill's argmax to the last step's argmax.
     */
    private static Run bareBatch(OnnxDecoder decoder, EmbeddingRows text, List<FloatBuffer> prompts, int steps) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = decoder.session();
        DecoderSpec spec = decoder.spec();
        int c = prompts.size();
        int length = prompts.getFirst().remaining() / spec.hidden();
        FloatBuffer all = ByteBuffer.allocateDirect(c * length * spec.hidden() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        long[] ids = new long[c * length];
        for (int r = 0; r < c; r++) {
            all.put(prompts.get(r).duplicate());
            for (int i = 0; i < length; i++) {
                ids[r * length + i] = i;
            }
        }
        List<OnnxTensor> created = new ArrayList<>();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put(OnnxDecoder.INPUTS_EMBEDS, track(created, OnnxTensor.createTensor(env, all.flip(), new long[]{c, length, spec.hidden()})));
        inputs.put(OnnxDecoder.ATTENTION_MASK, track(created, OnnxTensor.createTensor(env, ones(c * length), new long[]{c, length})));
        inputs.put(OnnxDecoder.POSITION_IDS, track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[]{c, length})));
        for (int l = 0; l < spec.layers(); l++) {
            long[] shape = {c, spec.kvHeads(), 0, spec.headDim()};
            inputs.put(OnnxDecoder.pastKey(l), track(created, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, spec.kvType())));
            inputs.put(OnnxDecoder.pastValue(l), track(created, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, spec.kvType())));
        }
        OrtSession.Result result = session.run(inputs);
        created.forEach(OnnxTensor::close);
        List<List<Integer>> tokens = new ArrayList<>();
        int[] last = new int[c];
        FloatBuffer prefillLogits = ((OnnxTensor) result.get(OnnxDecoder.LOGITS).orElseThrow()).getFloatBuffer();
        for (int r = 0; r < c; r++) {
            last[r] = Sampler.argmax(prefillLogits.position(r * spec.vocab()), spec.vocab());
            tokens.add(new ArrayList<>(List.of(last[r])));
        }
        FloatBuffer rows = ByteBuffer.allocateDirect(c * spec.hidden() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        long start = System.nanoTime();
        double[] stepMillis = new double[steps];
        for (int t = 0; t < steps; t++) {
            long stepStart = System.nanoTime();
            rows.clear();
            for (int r = 0; r < c; r++) {
                text.copyRow(last[r], rows);
            }
            rows.flip();
            created.clear();
            inputs.clear();
            int total = length + t + 1;
            long[] positions = new long[c];
            Arrays.fill(positions, total - 1);
            inputs.put(OnnxDecoder.INPUTS_EMBEDS, track(created, OnnxTensor.createTensor(env, rows, new long[]{c, 1, spec.hidden()})));
            inputs.put(OnnxDecoder.ATTENTION_MASK, track(created, OnnxTensor.createTensor(env, ones(c * total), new long[]{c, total})));
            inputs.put(OnnxDecoder.POSITION_IDS, track(created, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[]{c, 1})));
            for (int l = 0; l < spec.layers(); l++) {
                inputs.put(OnnxDecoder.pastKey(l), (OnnxTensor) result.get(OnnxDecoder.presentKey(l)).orElseThrow());
                inputs.put(OnnxDecoder.pastValue(l), (OnnxTensor) result.get(OnnxDecoder.presentValue(l)).orElseThrow());
            }
            OrtSession.Result next = session.run(inputs);
            created.forEach(OnnxTensor::close);
            result.close();
            result = next;
            FloatBuffer logits = ((OnnxTensor) result.get(OnnxDecoder.LOGITS).orElseThrow()).getFloatBuffer();
            for (int r = 0; r < c; r++) {
                last[r] = Sampler.argmax(logits.position(r * spec.vocab()), spec.vocab());
                tokens.get(r).add(last[r]);
            }
            stepMillis[t] = (System.nanoTime() - stepStart) / 1e6;
        }
        long elapsed = System.nanoTime() - start;
        result.close();
        return new Run((double) c * steps * 1e9 / elapsed, tokens, stepMillis);
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
