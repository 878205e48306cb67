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
 * against a bare batched {@code OrtSession.run} greedy loop at 1, 8 and 16 streams (decode steps
 * only, median of alternating pairs; {@code -Dbench.pairs}, {@code -Dbench.ratio.streams},
 * {@code -Dbench.only=ratio} to print only that), aggregate throughput at several concurrencies,
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
                if (System.getProperty("bench.cycle") != null) {
                    cycle(engine, text, ratioLevels);
                    return;
                }
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
        private final List<Long> stamps = java.util.Collections.synchronizedList(new ArrayList<>());

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
     * bare, engine, bare … and the figure is the median of the pairs' ratios. Both are timed on the
     * decode steps only, from the last prompt's first token (prefill excluded) to the last step's token.
     * With {@code -Dbench.variants=pinned,owned} each pair runs the engine in both KV modes around one
     * bare run (order swapped every other pair). Also printed, as a figure less sensitive to other
     * processes' bursts: the ratio of the bare loop's to the engine's 25th-percentile step time over
     * all runs.
     */
    private static void ratio(OnnxDecoder decoder, DecodeEngine engine, EmbeddingRows text, int steps, int[] levels,
                              int pairs) throws Exception {
        List<String> variants = List.of(System.getProperty("bench.variants", "engine").split(","));
        System.out.printf("engine %s vs bare batched loop: %d decode steps per run, %d pairs per concurrency, prefill excluded%n",
                variants, steps, pairs);
        List<String> summary = new ArrayList<>();
        for (int c : levels) {
            List<FloatBuffer> prompts = IntStream.range(0, c).mapToObj(i -> promptEmbeddings(text, PROMPT, 100 + i)).toList();
            for (String v : variants) {
                runEngineBatch(engine, v, prompts, 2);
            }
            bareBatch(decoder, text, prompts, 2);
            int n = variants.size();
            double[][] ratios = new double[n][pairs];
            double[][] ours = new double[n][pairs];
            double[] bare = new double[pairs];
            List<List<Double>> engineSteps = new ArrayList<>();
            variants.forEach(v -> engineSteps.add(new ArrayList<>()));
            List<Double> bareSteps = new ArrayList<>();
            int[] agreeing = new int[n];
            for (int i = 0; i < pairs; i++) {
                List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
                if (i % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                Run[] e = new Run[n];
                Run b = null;
                for (int k = 0; k < n; k++) {
                    int v = order.get(k);
                    e[v] = runEngineBatch(engine, variants.get(v), prompts, steps);
                    if (k == 0) {
                        b = bareBatch(decoder, text, prompts, steps);
                    }
                }
                bare[i] = b.tokensPerSecond();
                Arrays.stream(b.stepMillis()).forEach(bareSteps::add);
                StringBuilder line = new StringBuilder(String.format("  %2d streams, pair %d: bare %.2f tokens/s", c, i + 1, bare[i]));
                for (int v = 0; v < n; v++) {
                    ours[v][i] = e[v].tokensPerSecond();
                    ratios[v][i] = ours[v][i] / bare[i];
                    Arrays.stream(e[v].stepMillis()).forEach(engineSteps.get(v)::add);
                    for (int r = 0; r < c; r++) {
                        agreeing[v] += e[v].tokens().get(r).equals(b.tokens().get(r)) ? 1 : 0;
                    }
                    line.append(String.format(", %s %.2f tokens/s (ratio %.3f)", variants.get(v), ours[v][i], ratios[v][i]));
                }
                System.out.println(line);
            }
            for (int v = 0; v < n; v++) {
                double[] es = engineSteps.get(v).stream().mapToDouble(Double::doubleValue).toArray();
                double[] bs = bareSteps.stream().mapToDouble(Double::doubleValue).toArray();
                String line = String.format("%2d streams, %s: engine %.2f tokens/s, bare %.2f tokens/s (medians), engine ÷ bare %.3f "
                                + "(median of pairs; pairs %s; best ÷ best %.3f; step time p25 bare ÷ engine %.3f (%.1f / %.1f ms), "
                                + "min %.3f); rows with the same greedy tokens as the bare loop %d/%d",
                        c, variants.get(v), median(ours[v]), median(bare), median(ratios[v]), Arrays.toString(Arrays.stream(ratios[v])
                                .mapToObj(r -> String.format("%.3f", r)).toArray()),
                        Arrays.stream(ours[v]).max().orElseThrow() / Arrays.stream(bare).max().orElseThrow(),
                        quantile(bs, 0.25) / quantile(es, 0.25), quantile(bs, 0.25), quantile(es, 0.25),
                        quantile(bs, 0) / quantile(es, 0), agreeing[v], c * pairs);
                System.out.println(line);
                summary.add(line);
            }
        }
        System.out.println("engine ÷ bare summary:");
        summary.forEach(l -> System.out.println("  " + l));
    }

    /**
     * EXPERIMENT: the engine's KV modes compared inside one batch: the mode cycles every
     * {@code bench.cycle.every} steps through {@code bench.cycle} (e.g. pinned,owned,aligned) for
     * {@code bench.cycle.steps} steps, so other processes' bursts hit all modes alike. The first step
     * of each block (it may copy the KV into the new mode) is left out.
     */
    private static void cycle(DecodeEngine engine, EmbeddingRows text, int[] levels) throws Exception {
        String[] modes = System.getProperty("bench.cycle").split(",");
        int every = Integer.getInteger("bench.cycle.every", 4);
        int steps = Integer.getInteger("bench.cycle.steps", 48);
        System.out.printf("KV modes %s cycled every %d steps, %d steps per concurrency%n", Arrays.toString(modes), every, steps);
        for (int c : levels) {
            List<FloatBuffer> prompts = IntStream.range(0, c).mapToObj(i -> promptEmbeddings(text, PROMPT, 100 + i)).toList();
            DecodeEngine.cycleEvery = every;
            DecodeEngine.cycle = modes;
            runEngineBatch(engine, "cycle", prompts, every * modes.length);
            DecodeEngine.CYCLE_LOG.clear();
            Run run = runEngineBatch(engine, "cycle", prompts, steps);
            DecodeEngine.cycle = null;
            List<long[]> log;
            synchronized (DecodeEngine.CYCLE_LOG) {
                log = new ArrayList<>(DecodeEngine.CYCLE_LOG);
            }
            int rounds = (log.size() + every * modes.length - 1) / (every * modes.length);
            double[][] blockMedian = new double[modes.length][rounds];
            StringBuilder out = new StringBuilder(String.format("%2d streams (%.2f tokens/s over the run):", c, run.tokensPerSecond()));
            for (int m = 0; m < modes.length; m++) {
                final int mode = m;
                double[] stepMs = log.stream().filter(e -> e[0] == mode && e[1] == 0).mapToDouble(e -> e[2] / 1e6).toArray();
                double[] runMs = log.stream().filter(e -> e[0] == mode && e[1] == 0).mapToDouble(e -> e[3] / 1e6).toArray();
                for (int r = 0; r < rounds; r++) {
                    int from = r * every * modes.length + m * every;
                    double[] block = log.subList(Math.min(from, log.size()), Math.min(from + every, log.size())).stream()
                            .filter(e -> e[1] == 0).mapToDouble(e -> e[2] / 1e6).toArray();
                    blockMedian[m][r] = block.length == 0 ? Double.NaN : quantile(block, 0.5);
                }
                out.append(String.format("%n  %-8s step median %.1f ms, p25 %.1f ms, min %.1f ms; session.run median %.1f ms (%d steps)",
                        modes[m], quantile(stepMs, 0.5), quantile(stepMs, 0.25), quantile(stepMs, 0), quantile(runMs, 0.5), stepMs.length));
            }
            for (int m = 1; m < modes.length; m++) {
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    if (!Double.isNaN(blockMedian[m][r]) && !Double.isNaN(blockMedian[0][r])) {
                        ratios.add(blockMedian[0][r] / blockMedian[m][r]);
                    }
                }
                double[] rs = ratios.stream().mapToDouble(Double::doubleValue).toArray();
                out.append(String.format("%n  speed %s ÷ %s, median over %d rounds of block medians: %.3f (rounds %s)", modes[m], modes[0],
                        rs.length, quantile(rs, 0.5), Arrays.toString(Arrays.stream(rs).mapToObj(x -> String.format("%.3f", x)).toArray())));
            }
            Run pinned = runEngineBatch(engine, "pinned", prompts, steps);
            out.append(String.format("%n  greedy tokens of the cycled run equal an all-pinned run's: %s", pinned.tokens().equals(run.tokens())));
            System.out.println(out);
        }
    }

    private static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[(int) Math.floor(q * (s.length - 1))];
    }

    /**
     * The engine on {@code prompts} submitted at once: decode tokens/s from the last first token to the
     * last token. {@code variant}: {@code pinned}, {@code owned} or {@code aligned} (pinned, 64-byte-aligned arenas) sets the engine's KV mode, anything
     * else leaves it as configured.
     */
    private static Run runEngineBatch(DecodeEngine engine, String variant, List<FloatBuffer> prompts, int steps) throws Exception {
        switch (variant) {
            case "pinned" -> {
                engine.ortPresents = false;
                KvCache.align64 = false;
            }
            case "owned" -> {
                engine.ortPresents = true;
                KvCache.align64 = false;
            }
            case "aligned" -> {
                engine.ortPresents = false;
                KvCache.align64 = true;
            }
            default -> {
            }
        }
        List<DecodeRequest> requests = new ArrayList<>();
        for (FloatBuffer p : prompts) {
            requests.add(new DecodeRequest("bench", p.duplicate(), p.remaining() / engine.spec().hidden(), greedy(steps + 1)));
        }
        STEP_CLOCK.reset();
        java.util.Arrays.fill(DecodeEngine.PROF, 0);
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
        Thread.sleep(20);
        long[] p = DecodeEngine.PROF;
        double n = Math.max(1, p[5]);
        System.out.printf("    engine %s per step (ms): window %.1f, inputs %.2f, tensors+run %.1f, run %.1f, advance %.2f, sample %.2f%n",
                variant, (last - first) / 1e6 / steps, p[0] / 1e6 / n, p[1] / 1e6 / n, p[2] / 1e6 / n, p[3] / 1e6 / n, p[4] / 1e6 / n);
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
        long runNanos = 0;
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
            long r0 = System.nanoTime();
            OrtSession.Result next = session.run(inputs);
            runNanos += System.nanoTime() - r0;
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
        System.out.printf("    bare per step (ms): window %.1f, run %.1f%n", elapsed / 1e6 / steps, runNanos / 1e6 / steps);
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
