package dev.ovis.serve.vision.tokenizer;

import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches crops from concurrent requests into one vision-model run: a request is cut into slices
 * of at most {@code maxCrops} crops, slices queue up, and a worker takes as many as fit in
 * {@code maxCrops}, waiting up to {@code maxWait} for more only while other requests are in flight.
 *
 * <p>Workers: a fixed pool of {@code workers} threads, 1 by default, because ONNX Runtime already
 * spreads one run over every core (intra-op threads) and a GPU runs one batch at a time; more
 * workers would only split batches and contend for the same cores. The queue is bounded, so a
 * flood of requests blocks its callers (back-pressure) instead of growing memory.
 */
public final class BatchingVisualTokenizer implements VisualTokenizer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchingVisualTokenizer.class);

    private final OnnxVisualTokenizer model;
    private final int maxCrops;
    private final long maxWaitNanos;
    private final BlockingQueue<Slice> queue;
    private final ExecutorService workers;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BatchStats stats = new BatchStats();

    public BatchingVisualTokenizer(OnnxVisualTokenizer model, BatchProperties properties) {
        this.model = model;
        this.maxCrops = properties.maxCrops();
        this.maxWaitNanos = properties.maxWait().toNanos();
        this.queue = new ArrayBlockingQueue<>(properties.queueSlices());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(properties.workers(),
                r -> Thread.ofPlatform().name("vision-model-" + n.incrementAndGet()).daemon().unstarted(r));
        for (int i = 0; i < properties.workers(); i++) {
            workers.execute(this::work);
        }
    }

    @Override
    public int hidden() {
        return model.hidden();
    }

    /** Batch sizes so far (for metrics and the benchmark). */
    public BatchStats stats() {
        return stats;
    }

    @Override
    public float[] tokenize(float[] pixelValues, int crops) throws TokenizationException, InterruptedException {
        if (crops < 1 || pixelValues.length < crops * PreprocessedImage.CROP_FLOATS) {
            throw new IllegalArgumentException("need " + crops + " crops of pixel values, got " + pixelValues.length + " floats");
        }
        float[] out = new float[crops * OnnxVisualTokenizer.TOKENS * model.hidden()];
        Object request = new Object();
        List<Slice> slices = new ArrayList<>();
        activeRequests.incrementAndGet();
        try {
            for (int from = 0; from < crops; from += maxCrops) {
                Slice slice = new Slice(request, pixelValues, from, Math.min(maxCrops, crops - from), out, new CompletableFuture<>());
                slices.add(slice);
                enqueue(slice);
            }
            for (Slice slice : slices) {
                slice.done.get();
            }
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TokenizationException t) {
                throw t;
            }
            throw new TokenizationException("vision model failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            slices.forEach(s -> s.done.cancel(false));
            throw e;
        } finally {
            activeRequests.decrementAndGet();
        }
    }

    private void enqueue(Slice slice) throws InterruptedException, TokenizationException {
        while (!queue.offer(slice, 100, TimeUnit.MILLISECONDS)) {
            if (closed.get()) {
                throw TokenizationException.shutDown();
            }
        }
        if (closed.get()) {
            failQueued();
        }
    }

    private void work() {
        Slice carry = null;
        try {
            while (!closed.get()) {
                Slice first = carry != null ? carry : queue.take();
                carry = null;
                List<Slice> batch = new ArrayList<>();
                IdentityHashMap<Object, Boolean> requests = new IdentityHashMap<>();
                int crops = 0;
                long deadline = System.nanoTime() + maxWaitNanos;
                for (Slice next = first; next != null; ) {
                    if (!next.done.isDone()) {
                        if (crops + next.crops > maxCrops) {
                            carry = next;
                            break;
                        }
                        batch.add(next);
                        requests.put(next.request, Boolean.TRUE);
                        crops += next.crops;
                    }
                    if (crops >= maxCrops) {
                        break;
                    }
                    next = queue.poll();
                    if (next == null && requests.size() < activeRequests.get()) {
                        long left = deadline - System.nanoTime();
                        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    }
                }
                if (!batch.isEmpty()) {
                    run(batch, crops);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (carry != null) {
                carry.done.completeExceptionally(TokenizationException.shutDown());
            }
        }
    }

    private void run(List<Slice> batch, int crops) {
        OnnxVisualTokenizer.Buffers b = model.buffers(crops);
        int cropFloats = PreprocessedImage.CROP_FLOATS;
        int at = 0;
        for (Slice s : batch) {
            b.input.put(at * cropFloats, s.pixels, s.from * cropFloats, s.crops * cropFloats);
            at += s.crops;
        }
        try {
            model.run(b, crops);
            int rowFloats = OnnxVisualTokenizer.TOKENS * model.hidden();
            stats.record(batch.size(), crops);
            at = 0;
            for (Slice s : batch) {
                b.output.get(at * rowFloats, s.out, s.from * rowFloats, s.crops * rowFloats);
                at += s.crops;
                s.done.complete(null);
            }
        } catch (TokenizationException | RuntimeException e) {
            log.warn("vision batch of {} crops failed", crops, e);
            batch.forEach(s -> s.done.completeExceptionally(e));
        }
    }

    private void failQueued() {
        for (Slice s; (s = queue.poll()) != null; ) {
            s.done.completeExceptionally(TokenizationException.shutDown());
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            workers.shutdownNow();
            try {
                if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.warn("vision model workers still running after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failQueued();
        }
    }

    private record Slice(Object request, float[] pixels, int from, int crops, float[] out, CompletableFuture<Void> done) {
    }
}
