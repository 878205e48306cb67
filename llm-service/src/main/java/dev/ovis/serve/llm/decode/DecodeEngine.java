package dev.ovis.serve.llm.decode;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.llm.prompt.EmbeddingRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one engine thread: {@code plan → prefill the admitted → update the batch →
 * one decode step → sample}. New requests are prefilled on their own and join the running batch at
 * the next step boundary; finished and cancelled ones leave before the next step. One thread is
 * deliberate: ORT already spreads a step over its intra-op threads, and a single owner keeps the
 * KV bookkeeping lock-free. Callers only {@link #submit} and read their {@link Generation}. The
 * decoder is borrowed: whoever opened it closes it after the engine.
 */
public final class DecodeEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecodeEngine.class);

    private final OnnxDecoder decoder;
    private final EmbeddingRows textRows;
    private final TokenText text;
    private final EngineSettings settings;
    private final DecoderSpec spec;
    private final KvCache kv;
    /** Null when prefix caching is off. */
    private final PrefixCache prefixCache;
    private final Scheduler scheduler;
    private final List<Sequence> running = new ArrayList<>();
    private final FloatBuffer embeds;
    private final FloatBuffer logits;
    private final LongBuffer positions;
    private LongBuffer mask = directLongs(0);
    private final Thread thread;
    private volatile boolean closed;
    private volatile int runningCount;
    private volatile EngineStats stats = EngineStats.ZERO;
    private final EngineObserver observer;
    private volatile double kvUsage;

    public DecodeEngine(OnnxDecoder decoder, EmbeddingRows textRows, TokenText text, EngineSettings settings) {
        this(decoder, textRows, text, settings, EngineObserver.NONE);
    }

    public DecodeEngine(OnnxDecoder decoder, EmbeddingRows textRows, TokenText text, EngineSettings settings,
                        EngineObserver observer) {
        this.observer = observer;
        this.decoder = decoder;
        this.textRows = textRows;
        this.text = text;
        this.settings = settings;
        this.spec = decoder.spec();
        if (textRows.hidden() != spec.hidden()) {
            throw new IllegalArgumentException("text table width " + textRows.hidden() + " != decoder hidden " + spec.hidden());
        }
        this.kv = new KvCache(spec, settings.kvMaxBytes());
        PrefixCacheSettings caching = settings.prefixCache();
        this.prefixCache = caching.enabled() && caching.maxBytes() > 0
                ? new PrefixCache(spec, caching.maxBytes(), caching.blockPositions()) : null;
        this.scheduler = new Scheduler(kv, settings);
        this.embeds = directFloats((long) settings.maxBatch() * spec.hidden());
        this.logits = directFloats((long) settings.maxBatch() * spec.vocab());
        this.positions = directLongs(settings.maxBatch());
        this.thread = Thread.ofPlatform().name("llm-engine").daemon().unstarted(this::loop);
        thread.start();
    }

    /** The most prompt positions a request may have: context (and KV budget) minus one for the answer. */
    public int usablePromptPositions() {
        return Math.min(settings.contextLength(), kv.maxPositionsPerSequence()) - 1;
    }

    /** KV bytes per token of this decoder (all layers, K and V). */
    public long kvBytesPerToken() {
        return spec.kvBytesPerToken();
    }

    public DecoderSpec spec() {
        return spec;
    }

    /** Requests waiting for room. */
    public int queued() {
        return scheduler.queued();
    }

    /** Share of the KV budget the running batch reserves (padded footprint / budget), as of the last step. */
    public double kvUsage() {
        return kvUsage;
    }

    /** Counters since start. */
    public EngineStats stats() {
        return stats;
    }

    /** Sequences in the running batch (read from another thread: a metric, not exact). */
    public int running() {
        return runningCount;
    }

    /**
     * Queues a request.
     *
     * @throws EngineBusyException when the wait queue is full
     * @throws IllegalArgumentException when the prompt exceeds {@link #usablePromptPositions()}
     */
    public Generation submit(DecodeRequest request) throws EngineBusyException {
        Sequence sequence = sequenceOf(request);
        scheduler.submit(sequence);
        return sequence.generation;
    }

    /** Checks a request and makes its sequence (see {@link #submit}). */
    private Sequence sequenceOf(DecodeRequest request) {
        int usable = usablePromptPositions();
        if (request.positions() > usable) {
            throw new IllegalArgumentException("prompt of " + request.positions() + " positions exceeds " + usable);
        }
        if (request.embeddings().remaining() != (long) request.positions() * spec.hidden() || !request.embeddings().isDirect()) {
            throw new IllegalArgumentException("embeddings must be a direct buffer of positions × hidden floats");
        }
        int maxNew = Math.min(request.sampling().maxTokens(), usable + 1 - request.positions());
        long seed = request.sampling().seed() != null ? request.sampling().seed() : seedOf(request.id());
        return new Sequence(request, maxNew, seed, text, settings.stopIds(), observer);
    }

    /**
     * Queues several requests so that the engine admits them in one plan (when they fit): they are
     * prefilled one after the other and then decode as one batch from their first step. For the
     * benchmark, which compares whole batches with a bare loop.
     */
    List<Generation> submitAll(List<DecodeRequest> requests) throws EngineBusyException {
        List<Sequence> sequences = new ArrayList<>();
        for (DecodeRequest request : requests) {
            sequences.add(sequenceOf(request));
        }
        scheduler.submitAll(sequences);
        return sequences.stream().map(s -> s.generation).toList();
    }

    /**
     * The seed of a request that names none: derived from its id (the job's), not drawn at random,
     * so a job run again after a worker crash samples the same text and a streaming client never
     * receives text spliced from two samples. Different jobs still sample differently.
     */
    static long seedOf(String requestId) {
        return UUID.nameUUIDFromBytes(requestId.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }

    private void loop() {
        try {
            while (!closed) {
                Scheduler.Plan plan = scheduler.plan(running);
                if (plan == null) {
                    break;
                }
                plan.cancelled().forEach(s -> s.finish(FinishReason.CANCELLED));
                for (Sequence s : plan.admit()) {
                    observer.admitted(System.nanoTime() - s.submittedNanos);
                    prefill(s);
                }
                leave();
                for (Sequence s : plan.admit()) {
                    if (!s.finished()) {
                        kv.append(s.prefillKv);
                        running.add(s);
                    }
                    s.prefillKv = null;
                }
                runningCount = running.size();
                kvUsage = reservedKvShare();
                observer.batch(running.size(), scheduler.queued(), kvUsage);
                if (!running.isEmpty()) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("decode engine stopped", e);
            failRunning(new Failure(ErrorCode.INTERNAL, "decode engine stopped: " + e));
        } finally {
            for (Sequence s : scheduler.close()) {
                s.fail(new Failure(ErrorCode.UNAVAILABLE, "the llm service is shutting down"));
            }
            failRunning(new Failure(ErrorCode.UNAVAILABLE, "the llm service is shutting down"));
        }
    }

    /** The running batch's padded KV reservation as a share of the budget (what the scheduler admits against). */
    private double reservedKvShare() {
        int longest = 0;
        for (Sequence s : running) {
            longest = Math.max(longest, s.reserved);
        }
        return kv.maxBytes() == 0 ? 0 : (double) kv.footprint(running.size(), longest) / kv.maxBytes();
    }

    /** Removes finished and cancelled rows from the batch. */
    private void leave() {
        boolean removed = false;
        for (int row = running.size() - 1; row >= 0; row--) {
            Sequence s = running.get(row);
            if (s.generation.cancelRequested()) {
                s.finish(FinishReason.CANCELLED);
            }
            if (s.finished()) {
                int moved = kv.remove(row);
                Sequence last = running.removeLast();
                if (moved >= 0) {
                    running.set(row, last);
                }
                removed = true;
            }
        }
        if (removed && !running.isEmpty()) {
            int longest = 0;
            for (Sequence s : running) {
                longest = Math.max(longest, s.kvLength());
            }
            int drop = kv.length() - longest;
            if (drop >= Math.max(16, kv.length() / 8)) {
                kv.trim(drop);
            }
        }
    }

    /**
     * Prefills one prompt into a fresh block. With the prefix cache, the longest cached prefix of
     * whole blocks becomes the past and only the rest of the prompt is run (position ids {@code P…L−1},
     * a mask of {@code L} ones); the present is the whole prompt's KV either way.
     */
    private void prefill(Sequence s) {
        int length = s.request.positions();
        long start = System.nanoTime();
        try {
            FloatBuffer prompt = s.request.embeddings().duplicate();
            PrefixCache.Lookup lookup = prefixCache == null ? null : prefixCache.lookup(prompt, length);
            int reused = lookup == null ? 0 : lookup.reusedPositions();
            int computed = length - reused;
            LongBuffer ones = directLongs(length);
            LongBuffer ids = directLongs(computed);
            for (int i = 0; i < length; i++) {
                ones.put(i, 1);
            }
            for (int i = 0; i < computed; i++) {
                ids.put(i, reused + i);
            }
            KvBlock present = kv.sequenceBlock(length);
            KvBlock past = reused == 0 ? new KvBlock(emptyTensors(), 1, 0) : prefixCache.past(lookup);
            FloatBuffer suffix = prompt.slice(prompt.position() + reused * spec.hidden(), computed * spec.hidden());
            FloatBuffer rowLogits = logits.slice(0, spec.vocab());
            decoder.run(suffix, 1, computed, ones, ids, past, present, rowLogits);
            if (lookup != null) {
                prefixCache.store(lookup, present);
                observer.prefixCached(length, reused);
                log.debug("prefill of {}: {} of {} positions from the prefix cache ({} blocks, {} bytes held)",
                        s.request.id(), reused, length, prefixCache.size(), prefixCache.bytes());
            }
            s.prefillKv = present;
            long elapsed = System.nanoTime() - start;
            observer.prefilled(elapsed, length);
            // counted before sampling: the first token may finish the request, and its caller may read the stats
            EngineStats now = stats;
            stats = new EngineStats(now.prefills() + 1, now.prefillNanos() + elapsed, now.steps(),
                    now.stepRows(), now.stepNanos(), now.prefixHits() + (reused > 0 ? 1 : 0),
                    now.promptPositions() + length, now.reusedPositions() + reused);
            s.sample(rowLogits, spec.vocab());
        } catch (OrtException | RuntimeException e) {
            log.warn("prefill of {} failed", s.request.id(), e);
            s.fail(new Failure(ErrorCode.INTERNAL, "prefill failed: " + e.getMessage()));
        }
    }

    private void step() {
        long start = System.nanoTime();
        int batch = running.size();
        int past = kv.length();
        if (mask.capacity() < batch * (past + 1)) {
            mask = directLongs(Math.max(batch * (past + 1L), mask.capacity() * 2L));
        }
        LongBuffer stepMask = mask.slice(0, batch * (past + 1));
        embeds.clear();
        for (int row = 0; row < batch; row++) {
            Sequence s = running.get(row);
            textRows.copyRow(s.lastToken(), embeds);
            positions.put(row, s.kvLength());
            int pad = past - s.kvLength();
            for (int j = 0; j <= past; j++) {
                stepMask.put(row * (past + 1) + j, j < pad ? 0 : 1);
            }
        }
        FloatBuffer stepLogits = logits.slice(0, batch * spec.vocab());
        try {
            decoder.run(embeds.flip(), batch, 1, stepMask, positions.slice(0, batch), kv.past(), kv.present(), stepLogits);
        } catch (OrtException | RuntimeException e) {
            log.error("decode step failed for a batch of {}", batch, e);
            failRunning(new Failure(ErrorCode.INTERNAL, "decode step failed: " + e.getMessage()));
            return;
        }
        kv.advance();
        for (int row = 0; row < batch; row++) {
            running.get(row).sample(stepLogits.position(row * spec.vocab()), spec.vocab());
        }
        EngineStats now = stats;
        stats = new EngineStats(now.prefills(), now.prefillNanos(), now.steps() + 1, now.stepRows() + batch,
                now.stepNanos() + System.nanoTime() - start, now.prefixHits(), now.promptPositions(), now.reusedPositions());
    }

    private void failRunning(Failure failure) {
        for (Sequence s : running) {
            s.fail(failure);
        }
        running.clear();
        kv.clear();
    }

    private ByteBuffer[] emptyTensors() {
        ByteBuffer[] tensors = new ByteBuffer[2 * spec.layers()];
        for (int i = 0; i < tensors.length; i++) {
            tensors[i] = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        }
        return tensors;
    }

    private static FloatBuffer directFloats(long n) {
        return ByteBuffer.allocateDirect(Math.toIntExact(n * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer directLongs(long n) {
        return ByteBuffer.allocateDirect(Math.toIntExact(n * Long.BYTES)).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.close();
        thread.join(10_000);
    }
}
